import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Gc = (options?: { type: 'major' | 'minor' }) => void;

/**
 * V8's `gc()`. Exposed at run time when node was started without `--expose-gc`: the flag makes
 * new contexts get a `gc` global, so neither `pnpm bench` nor a re-spawn needs the flag.
 */
const gc: Gc = (() => {
  const exposed = globalThis.gc as Gc | undefined;
  // Called without `execution: 'async'`, V8's gc() collects synchronously.
  if (typeof exposed === 'function') return (options) => void exposed(options);
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as Gc;
})();

/**
 * Full GCs until the heap is settled. One is not enough: objects held weakly (such as the
 * dependent signals of `AbortSignal.any`) go only after their finalizers ran, in a later turn.
 */
export async function collectGarbage(): Promise<void> {
  for (let pass = 0; pass < 3; pass++) {
    gc();
    await nextTurn();
  }
}

/** A minor GC (a scavenge): empties the young generation, leaves the old one and its maps be. */
export async function collectYoungGarbage(): Promise<void> {
  gc({ type: 'minor' });
  await nextTurn();
}

/**
 * Bytes in use on the JS heap now. From V8's heap statistics: `process.memoryUsage()` also reads
 * the resident set size from the kernel, which cost 4 % of a profiled run sampled every 2 ms.
 */
export function heapUsed(): number {
  return getHeapStatistics().used_heap_size;
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

let gcTotalMs = 0;
let gcObserver: PerformanceObserver | undefined;

/**
 * Milliseconds V8 has spent collecting garbage since the first call, from PerformanceObserver
 * 'gc' entries. Node records an entry in a task after the collection, and hands it to observers
 * later still: one turn is waited for, then the pending entries are taken at once.
 */
export async function gcTimeMs(): Promise<number> {
  if (gcObserver === undefined) {
    gcObserver = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) gcTotalMs += entry.duration;
    });
    gcObserver.observe({ entryTypes: ['gc'] });
  }
  await nextTurn();
  for (const entry of gcObserver.takeRecords()) gcTotalMs += entry.duration;
  return gcTotalMs;
}
