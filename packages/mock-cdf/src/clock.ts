import { performance } from 'node:perf_hooks';
import { clearTimeout, setTimeout } from 'node:timers';

// Captured at load from node modules, not read from globals at call time: the loader's tests run
// `vi.useFakeTimers()` in the same process, and the fake must keep real time regardless.
const perfNow = performance.now.bind(performance);

/** Milliseconds on the monotonic clock (`performance.now()` as it was when this module loaded). */
export function now(): number {
  return perfNow();
}

/** A cancellable real-time wait; `cancel` stops it and makes it never call back. */
export interface Wait {
  cancel(): void;
}

/** Calls `callback` after `ms` real milliseconds. */
export function wait(ms: number, callback: () => void): Wait {
  const handle = setTimeout(callback, ms);
  return { cancel: () => clearTimeout(handle) };
}
