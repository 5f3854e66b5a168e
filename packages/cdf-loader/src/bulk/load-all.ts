import { checkCount, checkKnownKeys, checkObject } from '../options/check.js';
import { describeValue } from '../options/describe-value.js';
import type { LoadOptions } from '../options/options.js';
import { BulkRun } from './bulk-run.js';

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
   * byids requests to keep busy. `loadAll` reads at most `2 × concurrency × maxBatchSize`
   * identifiers ahead of what it has yielded: enough for `concurrency` full requests in flight
   * and as many full ones waiting for a slot, so a slot that frees up is taken at once.
   * @default the loader's `maxConcurrency` (the maximum of its `limiter`)
   */
  concurrency?: number;
}

/** What `loadAll` needs from its loader: `loadMany`, and how big and how many its requests are. */
export interface BulkLoader<TIdentifier, TValue> {
  loadMany(identifiers: readonly TIdentifier[], options: LoadOptions): Promise<(TValue | Error)[]>;
  readonly maxBatchSize: number;
  readonly maxConcurrency: number;
}

/** Requests' worth of identifiers read ahead per request kept busy: one in flight, one waiting. */
const CHUNKS_PER_SLOT = 2;

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
  checkKnownKeys('', checkObject('options', options), ['signal', 'concurrency']);
  const { signal } = options;
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw new TypeError(`\`signal\` must be an AbortSignal, got ${describeValue(signal)}.`);
  const concurrency = checkCount('concurrency', options.concurrency ?? loader.maxConcurrency, 1);
  return run(new BulkRun(loader, identifiers, CHUNKS_PER_SLOT * concurrency * loader.maxBatchSize, signal));
}

async function* run<TIdentifier, TValue>(bulk: BulkRun<TIdentifier, TValue>): AsyncGenerator<LoadAllResult<TValue, TIdentifier>, void, undefined> {
  try {
    // Answers already known are taken without awaiting: most are, since they come a request at a time.
    while (bulk.ready() || (await bulk.wait())) yield bulk.take();
  } finally {
    await bulk.stop();
  }
}

function isIterable(value: unknown): value is AnyIterable<unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<AsyncIterable<unknown> & Iterable<unknown>>;
  return typeof candidate[Symbol.asyncIterator] === 'function' || typeof candidate[Symbol.iterator] === 'function';
}
