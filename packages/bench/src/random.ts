/** A seeded PRNG (mulberry32): the same seed gives the same workload in every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` values picked uniformly, with repeats, from `pool`. */
export function pick<T>(random: () => number, pool: readonly T[], count: number): T[] {
  return Array.from({ length: count }, () => pool[Math.floor(random() * pool.length)] as T);
}
