/**
 * How far a `loadAll` run reads ahead, and in which lane its loads go: the bounds `BulkRun`
 * keeps to, worked out from the run's concurrency and the loader's batch size.
 */
import type { Lane } from '../options/options.js';

/** How far a run reads ahead, and in which lane its loads go. */
export interface BulkBounds {
  lane: Lane;
  /** Most keys of background loads waiting for CDF before reading pauses. */
  keys: number;
  /**
   * The same while the loader's interactive loads are being sent: bulk then keeps to one slot
   * (see `LaneQueue`), and keys read for the others would wait, each holding its identifier, its
   * pending load and its place in the maps, long enough for V8 to move them to the old
   * generation, whose collections pause the interactive answers.
   */
  keysBesideInteractive: number;
  /** Most identifiers read and not yet yielded before reading pauses. */
  lines: number;
}

/** Requests' worth of identifiers waiting for CDF per request kept busy: one in flight, one waiting. */
const CHUNKS_PER_SLOT = 2;
/**
 * Identifiers read and not yet yielded, per identifier waiting for CDF: room for hits and repeats.
 * Reaching it sends the held requests as they are, so it must rarely bind: at 4, a shuffled input
 * whose tail is mostly repeats of keys already asked for (each key 1–4 times) met it again and
 * again and sent up to 4 partial requests (bulk-requests.test, 1 run in 6 failed).
 */
const LINES_PER_KEY = 8;

/** The bounds of a run in `lane` that keeps `concurrency` requests of `maxBatchSize` busy. */
export function bulkBounds(lane: Lane, concurrency: number, maxBatchSize: number): BulkBounds {
  const keys = CHUNKS_PER_SLOT * concurrency * maxBatchSize;
  // Interactive loads are not counted as bulk keys: there the bound is on identifiers read.
  return lane === 'background'
    ? { lane, keys, keysBesideInteractive: Math.min(keys, CHUNKS_PER_SLOT * maxBatchSize), lines: LINES_PER_KEY * keys }
    : { lane, keys: Number.POSITIVE_INFINITY, keysBesideInteractive: Number.POSITIVE_INFINITY, lines: keys };
}
