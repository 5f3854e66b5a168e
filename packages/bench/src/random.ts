import { createRandom } from '@cdf-loader/mock-cdf';

/** A seeded PRNG (the fake CDF's mulberry32): the same seed gives the same workload in every run. */
export function seededRandom(seed: number): () => number {
  return createRandom(seed).next;
}

/** `count` values picked uniformly, with repeats, from `pool`. */
export function pick<T>(random: () => number, pool: readonly T[], count: number): T[] {
  return Array.from({ length: count }, () => pool[Math.floor(random() * pool.length)] as T);
}
