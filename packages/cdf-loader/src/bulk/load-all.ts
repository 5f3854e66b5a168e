import { checkCount, checkKnownKeys, checkObject, checkOneOf } from '../options/check.js';
import { describeValue } from '../options/describe-value.js';
import type { Lane, LoadOptions } from '../options/options.js';
import { bulkBounds } from './bulk-bounds.js';
import { BulkRun } from './bulk-run.js';
import { LoadAllResults } from './results.js';

/** Anything `for await` can read: an array, a generator, an async generator, a Node stream. */
export type AnyIterable<T> = Iterable<T> | AsyncIterable<T>;

/**
 * What `loadAll` yields for one identifier of its input, in input order: the value a `load` of
 * it resolves to (the item, or `null` when CDF has none), or the error such a load rejects with
 * (`InvalidIdentifierError`, `NotFoundError` with `missing: 'error'`, `CdfApiError`,
 * `TokenProviderError`). Test `error === undefined` (or `'item' in result`) to tell them apart.
 * @typeParam TValue What a load resolves to: the item type, with `null` unless `missing: 'error'`.
 * @typeParam TIdentifier The identifier type of the resource.
 */
export type LoadAllResult<TValue, TIdentifier> =
  | { identifier: TIdentifier; item: TValue; error?: undefined }
  | { identifier: TIdentifier; item?: undefined; error: Error };

/** Options of `loadAll`. */
export interface LoadAllOptions extends LoadOptions {
  /**
   * byids requests to keep busy. `loadAll` reads ahead until `2 × concurrency × maxBatchSize`
   * identifiers wait for CDF (queued or in flight; cache hits and keys already asked for cost
   * nothing): enough for `concurrency` full requests in flight and as many full ones waiting for
   * a slot, so a slot that frees up is taken at once. In the background lane, while the loader's
   * interactive loads are being sent, bulk keeps to one slot, and reads ahead for that one only
   * (`2 × maxBatchSize`).
   * @default the loader's `maxConcurrency` (the maximum of its `limiter`)
   */
  concurrency?: number;
  /**
   * `'background'`: its requests let the loader's interactive loads take a free slot first (bulk
   * always keeps one), and a request not yet full waits for more new identifiers until the input
   * ends, stalls or reaches the read-ahead. `'interactive'`: its loads are like any `load`: first
   * for slots, sent as soon as they are read.
   * @default 'background'
   */
  lane?: Lane;
}

/** What `loadAll` needs from its loader: loads in a lane, the bulk keys waiting, and its request size. */
export interface BulkLoader<TIdentifier, TValue> {
  loadMany(identifiers: readonly TIdentifier[], options: LoadOptions, lane: Lane): Promise<(TValue | Error)[]>;
  /** Keys of background loads waiting for CDF (queued, held or in flight); `loadMany` adds its new ones at the call. */
  waiting(): number;
  /** Sends the held background requests now, full or not. */
  sendHeld(): void;
  /** Whether a background request is waiting for a slot or in flight. */
  busy(): boolean;
  /** Whether the loader's interactive loads are being sent now (bulk then paces itself). */
  interactiveRecently(): boolean;
  readonly maxBatchSize: number;
  readonly maxConcurrency: number;
}

const LANES: readonly Lane[] = ['background', 'interactive'];

/**
 * Checks `loadAll`'s arguments at the call, then returns the generator that does the work.
 * @throws {TypeError} for input that is not iterable, or an option out of its range.
 */
export function loadAll<TIdentifier, TValue>(
  loader: BulkLoader<TIdentifier, TValue>,
  identifiers: AnyIterable<TIdentifier>,
  options: LoadAllOptions = {},
): AsyncGenerator<LoadAllResult<TValue, TIdentifier>, void, undefined> {
  if (!isIterable(identifiers)) {
    throw new TypeError(`\`loadAll\` takes an iterable or async iterable of identifiers (an array, a generator, a stream), got ${describeValue(identifiers)}.`);
  }
  checkKnownKeys('', checkObject('options', options), ['signal', 'concurrency', 'lane']);
  const { signal } = options;
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw new TypeError(`\`signal\` must be an AbortSignal, got ${describeValue(signal)}.`);
  const concurrency = checkCount('concurrency', options.concurrency ?? loader.maxConcurrency, 1);
  const lane = checkOneOf('lane', options.lane === undefined ? 'background' : options.lane, LANES);
  return new LoadAllResults(new BulkRun(loader, identifiers, bulkBounds(lane, concurrency, loader.maxBatchSize), signal));
}

function isIterable(value: unknown): value is AnyIterable<unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<AsyncIterable<unknown> & Iterable<unknown>>;
  return typeof candidate[Symbol.asyncIterator] === 'function' || typeof candidate[Symbol.iterator] === 'function';
}
