import { pick } from './random.js';

/** CDF's most identifiers per byids request. */
export const MAX_ITEMS = 1000;

/**
 * One operation, such as one GraphQL request: waves of file ids, each wave loaded once the
 * previous one answered (the levels of a resolver tree).
 */
export type Operation = readonly (readonly number[])[];

/** Operations started together. */
export interface Burst {
  /** When it starts: once everything before it settled, or this many ms after the previous burst started. */
  after: 'settled' | number;
  operations: readonly Operation[];
}

/** What a contender is asked to load. `bursts()` may generate lazily (B5's million loads). */
export interface Workload {
  bursts(): Iterable<Burst>;
}

/** A workload of bursts held in memory. */
export function workloadOf(bursts: readonly Burst[]): Workload {
  return { bursts: () => bursts };
}

/** `count` operations whose waves hold `waveSizes` ids picked uniformly from `pool`. */
export function randomOperations(random: () => number, pool: readonly number[], count: number, waveSizes: readonly number[]): Operation[] {
  return Array.from({ length: count }, () => waveSizes.map((size) => pick(random, pool, size)));
}

/** Every id the workload loads, once each, in order of first use. */
export function uniqueIds(workload: Workload): number[] {
  const ids = new Set<number>();
  for (const burst of workload.bursts()) {
    for (const operation of burst.operations) for (const wave of operation) for (const id of wave) ids.add(id);
  }
  return [...ids];
}

/**
 * The ids each level (wave index) of the operations needs that no earlier level fetched: what a
 * loader that must wait for one level before the next has to fetch at best, level by level.
 */
export function newIdsByLevel(workload: Workload): number[][] {
  const levels: Set<number>[] = [];
  for (const burst of workload.bursts()) {
    for (const operation of burst.operations) {
      operation.forEach((wave, level) => {
        const ids = (levels[level] ??= new Set());
        for (const id of wave) ids.add(id);
      });
    }
  }
  const seen = new Set<number>();
  return levels.map((ids) => {
    const fresh = [...ids].filter((id) => !seen.has(id));
    for (const id of fresh) seen.add(id);
    return fresh;
  });
}

/** Loads the workload issues. */
export function loadCount(workload: Workload): number {
  let loads = 0;
  for (const burst of workload.bursts()) for (const operation of burst.operations) for (const wave of operation) loads += wave.length;
  return loads;
}

/** The fewest requests for the workload's keys when each burst must fetch its keys not seen before. */
export function perBurstFloor(workload: Workload): number {
  const seen = new Set<number>();
  let requests = 0;
  for (const burst of workload.bursts()) {
    let fresh = 0;
    for (const operation of burst.operations) {
      for (const wave of operation) {
        for (const id of wave) {
          if (seen.has(id)) continue;
          seen.add(id);
          fresh++;
        }
      }
    }
    requests += Math.ceil(fresh / MAX_ITEMS);
  }
  return requests;
}

/** The fewest requests for the workload's keys: ceil(unique / 1000). */
export function globalFloor(workload: Workload): number {
  return Math.ceil(uniqueIds(workload).length / MAX_ITEMS);
}
