import { Session } from 'node:inspector/promises';

interface SamplingNode {
  selfSize: number;
  children: SamplingNode[];
}

/**
 * Bytes `run` allocates on the JS heap, garbage included: V8's sampling heap profiler with
 * collected objects kept in the profile, so the sum of its samples estimates every allocation
 * (to within the sampling interval's granularity), not only what survives.
 */
export async function allocatedBytes<T>(run: () => Promise<T>): Promise<number> {
  const session = new Session();
  session.connect();
  try {
    await session.post('HeapProfiler.startSampling', {
      samplingInterval: 512,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
    await run();
    const { profile } = (await session.post('HeapProfiler.stopSampling')) as { profile: { head: SamplingNode } };
    return totalSize(profile.head);
  } finally {
    session.disconnect();
  }
}

function totalSize(node: SamplingNode): number {
  let total = node.selfSize;
  for (const child of node.children) total += totalSize(child);
  return total;
}
