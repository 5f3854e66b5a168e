import { collectGarbage, heapUsed } from './gc.js';

/** What one measured run cost the client process. */
export interface Measurement {
  wallMs: number;
  /** User + system CPU time of this process (the fake runs in another). */
  cpuMs: number;
  /** Most heap in use during the run above what was in use at its start, sampled every 2 ms. */
  peakHeapBytes: number;
}

/** Runs `run` after a full GC and measures it. */
export async function measure<T>(run: () => Promise<T>): Promise<{ result: T; measurement: Measurement }> {
  await collectGarbage();
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
  return { result, measurement: { wallMs, cpuMs: (cpu.user + cpu.system) / 1000, peakHeapBytes: peak - startHeap } };
}
