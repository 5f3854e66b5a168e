import { collectGarbage, collectYoungGarbage, gcTimeMs, heapUsed } from './gc.js';

/** What one measured run cost the client process. */
export interface Measurement {
  wallMs: number;
  /** User + system CPU time of this process (the fake runs in another). */
  cpuMs: number;
  /** Most heap in use during the run above what was in use at its start, sampled every 2 ms. */
  peakHeapBytes: number;
  /** Time V8 spent collecting garbage during the run (PerformanceObserver 'gc' entries), part of `cpuMs`. */
  gcMs: number;
}

/** How a run is prepared before it is measured. */
export interface MeasureOptions {
  /**
   * A session of the same contender on its own fresh state, run unmeasured after the full GC.
   * A full GC throws away the optimized code of every function that embeds the map of an object
   * no longer alive (V8's `--trace-deopt` says "reason: weak objects"), and between two runs
   * every loader, pending key and promise of the earlier run has died. Measured right after it, a
   * run would pay again for the JIT warm-up the warm-up round was there to leave out, and pay the
   * more the more code a contender runs. A session run after the GC brings that code back, then
   * a minor GC empties the young generation; the old generation keeps what that session left
   * there, as a service's keeps what its earlier bursts left.
   */
  rewarm?: () => Promise<unknown>;
}

/** Runs `run` after a full GC (and, with `rewarm`, a warming session) and measures it. */
export async function measure<T>(run: () => Promise<T>, options: MeasureOptions = {}): Promise<{ result: T; measurement: Measurement }> {
  await collectGarbage();
  if (options.rewarm !== undefined) {
    await options.rewarm();
    await collectYoungGarbage();
  }
  return measureAsIs(run);
}

/**
 * Measures `run` as it comes, with no GC forced before it: as a service's burst runs, paying for
 * the garbage earlier runs left and for its own.
 */
export async function measureAsIs<T>(run: () => Promise<T>): Promise<{ result: T; measurement: Measurement }> {
  const startGc = await gcTimeMs();
  const startHeap = heapUsed();
  let peak = startHeap;
  const sampler = setInterval(() => {
    peak = Math.max(peak, heapUsed());
  }, 2);
  const startCpu = process.cpuUsage();
  const startedAt = performance.now();
  let result: T;
  try {
    result = await run();
  } finally {
    clearInterval(sampler);
  }
  const wallMs = performance.now() - startedAt;
  const cpu = process.cpuUsage(startCpu);
  peak = Math.max(peak, heapUsed());
  const gcMs = (await gcTimeMs()) - startGc;
  return { result, measurement: { wallMs, cpuMs: (cpu.user + cpu.system) / 1000, peakHeapBytes: peak - startHeap, gcMs } };
}
