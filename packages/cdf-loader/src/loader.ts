import type DataLoader from 'dataloader';
import pLimit, { type LimitFunction } from 'p-limit';
import { AdaptiveConcurrency } from './adaptive-concurrency.js';
import { Batcher, type LoadOptions, type MissingPolicy } from './batcher.js';
import { ResultCache } from './cache.js';
import type { CanonicalKey, IdEither, Identifier } from './identifiers.js';
import {
  type BatchingOptions,
  type CheckedConnectionOptions,
  checkBatchingOptions,
  checkConnectionOptions,
  type LoaderOptions,
} from './options.js';
import { createRequestScope, type RequestScopeOptions } from './request-scope.js';
import * as resources from './resources.js';
import type { Asset, CdfEvent, FileInfo, Resource, Sequence, TimeSeries } from './resources.js';
import { type LoaderStats, Telemetry } from './telemetry.js';
import { Transport } from './transport.js';

/**
 * Looks up items of one CDF resource by identifier: collects the lookups of every caller,
 * dedupes them, sends them as byids requests of up to `maxBatchSize` under the concurrency
 * limit, caches the answers and hands each caller its item.
 */
export class ByIdsLoader<TItem extends object, TIdentifier, TNotFound extends null = null> {
  readonly #batcher: Batcher<TItem>;
  readonly #resource: Resource<TItem, TIdentifier>;

  /** @internal Use `createByIdsLoader`, `createFilesLoader` or `createCdfLoaders`. */
  constructor(batcher: Batcher<TItem>, resource: Resource<TItem, TIdentifier>) {
    this.#batcher = batcher;
    this.#resource = resource;
  }

  /**
   * The item, or `null` when CDF has none (with `missing: 'error'`, a `NotFoundError`).
   * Rejects with `InvalidIdentifierError` for an identifier CDF would refuse, with `CdfApiError`
   * when the request carrying it failed, and with the signal's reason when it aborts.
   */
  load(identifier: TIdentifier, options?: LoadOptions): Promise<TItem | TNotFound> {
    return this.#batcher.load(identifier, options?.signal) as Promise<TItem | TNotFound>;
  }

  /** Loads several at once; each place holds the item, `null`, or the error of that key. */
  loadMany(identifiers: readonly TIdentifier[], options?: LoadOptions): Promise<(TItem | TNotFound | Error)[]> {
    return this.#batcher.loadMany(identifiers, options?.signal) as Promise<(TItem | TNotFound | Error)[]>;
  }

  /** Puts an item in the cache under all of its identifiers (say, from a list call). */
  prime(item: TItem): this {
    this.#batcher.prime(item);
    return this;
  }

  /** Drops an identifier from the cache, with the other identifiers of its item. */
  clear(identifier: TIdentifier): this {
    this.#batcher.clear(identifier);
    return this;
  }

  /** Empties the cache. Requests already sent still answer their callers but are not cached. */
  clearAll(): this {
    this.#batcher.clearAll();
    return this;
  }

  stats(): LoaderStats {
    return this.#batcher.stats();
  }

  /** A DataLoader for one GraphQL request, batching into this shared loader. */
  forRequest(options?: RequestScopeOptions): DataLoader<TIdentifier, TItem | TNotFound, CanonicalKey> {
    return createRequestScope(this.#batcher, this.#resource, options) as DataLoader<TIdentifier, TItem | TNotFound, CanonicalKey>;
  }
}

/**
 * What a load gives for an identifier CDF has no item for: `null`, or nothing at all with
 * `missing: 'error'` (the load rejects with `NotFoundError` instead), so types follow the option.
 */
export type NotFoundValue<TMissing extends MissingPolicy> = TMissing extends 'error' ? never : null;

export type FilesLoader<TNotFound extends null = null> = ByIdsLoader<FileInfo, Identifier, TNotFound>;
export type AssetsLoader<TNotFound extends null = null> = ByIdsLoader<Asset, IdEither, TNotFound>;
export type EventsLoader<TNotFound extends null = null> = ByIdsLoader<CdfEvent, IdEither, TNotFound>;
export type TimeSeriesLoader<TNotFound extends null = null> = ByIdsLoader<TimeSeries, Identifier, TNotFound>;
export type SequencesLoader<TNotFound extends null = null> = ByIdsLoader<Sequence, IdEither, TNotFound>;

/** One loader per resource, sharing one transport (one token) and one concurrency limit. */
export interface CdfLoaders<TNotFound extends null = null> {
  files: FilesLoader<TNotFound>;
  assets: AssetsLoader<TNotFound>;
  events: EventsLoader<TNotFound>;
  timeSeries: TimeSeriesLoader<TNotFound>;
  sequences: SequencesLoader<TNotFound>;
}

/** A loader for any byids resource: one of `resources`, or your own from `defineResource`. */
export function createByIdsLoader<TItem extends object, TIdentifier, TMissing extends MissingPolicy = 'null'>(
  resource: Resource<TItem, TIdentifier>,
  options: LoaderOptions & { missing?: TMissing },
): ByIdsLoader<TItem, TIdentifier, NotFoundValue<TMissing>> {
  return createLoader(resource, connect(checkConnectionOptions(options)), options);
}

/** A loader for file metadata (`files/byids`). */
export function createFilesLoader<TMissing extends MissingPolicy = 'null'>(
  options: LoaderOptions & { missing?: TMissing },
): FilesLoader<NotFoundValue<TMissing>> {
  return createByIdsLoader(resources.files, options);
}

/**
 * Loaders for files, assets, events, time series and sequences of one project. They share the
 * token and the concurrency limit, because CDF throttles per identity and per project.
 */
export function createCdfLoaders<TMissing extends MissingPolicy = 'null'>(
  options: LoaderOptions & { missing?: TMissing },
): CdfLoaders<NotFoundValue<TMissing>> {
  const connection = connect(checkConnectionOptions(options));
  return {
    files: createLoader(resources.files, connection, options),
    assets: createLoader(resources.assets, connection, options),
    events: createLoader(resources.events, connection, options),
    timeSeries: createLoader(resources.timeSeries, connection, options),
    sequences: createLoader(resources.sequences, connection, options),
  };
}

interface Connection {
  transport: Transport;
  concurrency: AdaptiveConcurrency;
  retry: CheckedConnectionOptions['retry'];
}

/** One controller per limiter, so loaders sharing a limiter also share what 429s taught it. */
const controllers = new WeakMap<LimitFunction, AdaptiveConcurrency>();

function connect(options: CheckedConnectionOptions): Connection {
  const limiter = options.limiter ?? pLimit(options.maxConcurrency);
  let concurrency = controllers.get(limiter);
  if (concurrency === undefined) {
    concurrency = new AdaptiveConcurrency(limiter, options.adaptiveConcurrency);
    controllers.set(limiter, concurrency);
  }
  return { transport: new Transport(options), concurrency, retry: options.retry };
}

function createLoader<TItem extends object, TIdentifier, TNotFound extends null>(
  resource: Resource<TItem, TIdentifier>,
  connection: Connection,
  options: BatchingOptions,
): ByIdsLoader<TItem, TIdentifier, TNotFound> {
  const batching = checkBatchingOptions(options);
  const batcher = new Batcher<TItem>({
    resource,
    ...connection,
    maxBatchSize: batching.maxBatchSize,
    batchWindowMs: batching.batchWindowMs,
    cache: batching.cache === false ? undefined : new ResultCache<TItem>(batching.cache),
    missing: batching.missing,
    telemetry: new Telemetry(resource.path, batching.onRequest),
  });
  return new ByIdsLoader<TItem, TIdentifier, TNotFound>(batcher, resource);
}
