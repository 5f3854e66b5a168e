import type { Workload } from '../workload.js';

/** Where a contender sends its byids requests. */
export interface Target {
  baseUrl: string;
  project: string;
  token: string;
  /** Instead of the network (the in-memory CDF of B2 and B5). */
  fetch?: typeof globalThis.fetch;
}

/** A file as the bench checks it: the id must be the one asked for. */
export interface Item {
  id: number;
}

/** What one run loaded, counted after the fact; a correct contender has no `wrong`. */
export interface Outcome {
  /** Operations run (fewer than the workload's for a contender bounded by `maxOperations`). */
  operations: number;
  loads: number;
  /** Loads that ended in an error (say, a 429 nobody retried). */
  failed: number;
  /** Loads answered with null or with another file than the one asked for. */
  wrong: number;
}

/** One way of loading files that the bench compares. */
export interface Contender {
  readonly name: string;
  /**
   * Builds fresh state (cold caches) for one run, outside the measured time, and returns the
   * measured part. Calling that again reuses the state, which is how B2 measures cache hits.
   */
  prepare(target: Target, workload: Workload): () => Promise<Outcome>;
}

/** An empty outcome to count into. */
export function emptyOutcome(): Outcome {
  return { operations: 0, loads: 0, failed: 0, wrong: 0 };
}

/** Adds `from` into `into`. */
export function addOutcome(into: Outcome, from: Outcome): void {
  into.operations += from.operations;
  into.loads += from.loads;
  into.failed += from.failed;
  into.wrong += from.wrong;
}
