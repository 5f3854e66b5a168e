import type DataLoader from 'dataloader';
import { type AnyIterable, type BulkLoader, loadAll, type LoadAllOptions, type LoadAllResult } from '../bulk/load-all.js';
import { ResultCache } from '../cache/result-cache.js';
import { ConcurrencyLimit } from '../send/concurrency-limit.js';
import { Engine } from '../engine/engine.js';
import type { CanonicalKey, IdEither, Identifier } from '../identifiers/identifiers.js';
import type { InstanceIdentifier } from '../identifiers/instance-identifiers.js';
import { checkCount } from '../options/check.js';
import { type CheckedOptions, checkOptions, LOADER_SET_KEYS, type LoaderOptions, type LoaderSetOptions, type LoadOptions, type MissingPolicy } from '../options/options.js';
import { FILE_LINKS_KEYS, type FileLinksOptions, INSTANCES_KEYS, type InstancesOptions } from '../options/reach-options.js';
import { type FileLink, fileLinksResource, MAX_LINKS_PER_REQUEST } from '../resources/file-links.js';
import { type Instance, instancesResource } from '../resources/instances.js';
import { createRequestScope, type RequestScopeOptions } from './request-scope.js';
import * as resources from '../resources/resources.js';
import type { Asset, CdfEvent, FileInfo, Resource, Sequence, TimeSeries } from '../resources/resources.js';
import { Sender } from '../send/sender.js';
import { RequestRate } from '../send/request-rate.js';
import { SharedTier } from '../shared/shared-tier.js';
import { SharedTierGuard } from '../shared/shared-tier-guard.js';
import { type LoaderStats, Telemetry } from '../telemetry/telemetry.js';
import { byIdsTarget, Transport } from '../transport/transport.js';

/**
 * Looks up items of one CDF resource by identifier: collects the lookups of every caller,
 * dedupes them, sends them as byids requests of up to `maxBatchSize` under the concurrency
 * limit, caches the answers and hands each caller its item.
 */
export class ByIdsLoader<TItem extends object, TIdentifier, TNotFound extends null = null> {
  readonly #engine: Engine<TItem>;
  readonly #resource: Resource<TItem, TIdentifier>;
  readonly #requestSize: RequestSize;

  /** @internal Use `createByIdsLoader`, `createFilesLoader` or `createCdfLoaders`. */
  constructor(engine: Engine<TItem>, resource: Resource<TItem, TIdentifier>, requestSize: RequestSize) {
    this.#engine = engine;
    this.#resource = resource;
    this.#requestSize = requestSize;
  }

  /**
   * The item, or `null` when CDF has none (with `missing: 'error'`, a `NotFoundError`).
   * Rejects with `InvalidIdentifierError` for an identifier CDF would refuse, with `CdfApiError`
   * when the request carrying it failed, with `TokenProviderError` when no token could be had,
   * with the signal's reason when it aborts, and with `LoaderClosedError` after `close()`.
   */
  load(identifier: TIdentifier, options?: LoadOptions): Promise<TItem | TNotFound> {
    return this.#engine.load(identifier, options?.signal) as Promise<TItem | TNotFound>;
  }

  /** Loads several at once; each place holds the item, `null`, or the error of that key. */
  loadMany(identifiers: readonly TIdentifier[], options?: LoadOptions): Promise<(TItem | TNotFound | Error)[]> {
    return this.#engine.loadMany(identifiers, options?.signal) as Promise<(TItem | TNotFound | Error)[]>;
  }

  /**
   * Looks up every identifier of a list or stream of any length, yielding a result per
   * identifier in input order as soon as it and those before it are known: `{ identifier, item }`
   * (`item` is `null` when CDF has none) or `{ identifier, error }`. The input is read lazily:
   * at most `2 × concurrency × maxBatchSize` identifiers still waiting for CDF (cache hits and
   * keys already in flight cost nothing; `2 × maxBatchSize` while interactive loads come and bulk
   * keeps to one slot) and 8 times as many read and not yet yielded, so memory stays flat
   * however long it is, while `concurrency` full requests stay in flight. Its
   * requests go in the background lane (interactive loads of the loader take a free slot first;
   * bulk always keeps one), unless `lane: 'interactive'`. An invalid
   * identifier, a not-found one with `missing: 'error'` and a failed request are results, not the
   * end of the run. Stopping early (`break`) or aborting `signal` aborts what is outstanding and
   * closes the input with its `return()`; after an abort the iteration throws the signal's
   * reason, and after `close()` it throws `LoaderClosedError`. An error the input throws is
   * thrown after the results of what was read before it.
   * @example for await (const { identifier, item, error } of files.loadAll(ids, { signal })) { … }
   * @throws {TypeError} at the call, for input that is not iterable or an option out of range.
   */
  loadAll(identifiers: AnyIterable<TIdentifier>, options?: LoadAllOptions): AsyncGenerator<LoadAllResult<TItem | TNotFound, TIdentifier>, void, undefined> {
    const engine = this.#engine;
    const bulkLoader: BulkLoader<TIdentifier, TItem | TNotFound> = {
      loadMany: (group, loadOptions, lane) => engine.loadMany(group, loadOptions.signal, lane) as Promise<(TItem | TNotFound | Error)[]>,
      waiting: () => engine.backgroundWaiting,
      sendHeld: () => engine.releaseBackground(),
      busy: () => engine.backgroundBusy,
      ...this.#requestSize,
    };
    return loadAll(bulkLoader, identifiers, options);
  }

  /**
   * Puts an item in the cache under all of its identifiers (say, from a list call), dropping
   * the identifiers the version it replaces no longer carries.
   * @throws {TypeError} for an item CDF could not have sent (no valid `id`, an invalid alias).
   */
  prime(item: TItem): this {
    this.#engine.prime(item);
    return this;
  }

  /** Drops an identifier from the cache, with every other identifier of its item. */
  clear(identifier: TIdentifier): this {
    this.#engine.clear(identifier);
    return this;
  }

  /** Empties the cache. Requests already sent still answer their callers but are not cached. */
  clearAll(): this {
    this.#engine.clearAll();
    return this;
  }

  stats(): LoaderStats {
    return this.#engine.stats();
  }

  /** A DataLoader for one GraphQL request, batching into this shared loader. */
  forRequest(options?: RequestScopeOptions): DataLoader<TIdentifier, TItem | TNotFound, CanonicalKey> {
    return createRequestScope(this.#engine, this.#resource, options) as DataLoader<TIdentifier, TItem | TNotFound, CanonicalKey>;
  }

  /**
   * Shuts the loader down: queued loads reject with `LoaderClosedError`, requests in flight are
   * aborted (their callers get the same error) and retry waits end. Resolves when no request is
   * left; idempotent. Loads after it reject at once.
   */
  close(): Promise<void> {
    return this.#engine.close();
  }
}

/** How big and how many a loader's requests are, for `loadAll`'s read-ahead and pacing. */
interface RequestSize {
  maxBatchSize: number;
  /** The maximum of the loader's concurrency limit (its own or the shared `limiter`). */
  maxConcurrency: number;
  /** Whether the limit is sending interactive requests now. */
  interactiveRecently(): boolean;
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
/** Download links of files (`files/downloadlink`), by id, externalId or instanceId. */
export type FileLinksLoader<TNotFound extends null = null> = ByIdsLoader<FileLink, Identifier, TNotFound>;
/** Data-modeling nodes and edges (`models/instances/byids`). */
export type InstancesLoader<TNotFound extends null = null> = ByIdsLoader<Instance, InstanceIdentifier, TNotFound>;

/**
 * One loader per resource, sharing one transport (one token) and one concurrency limit. Each
 * loader is made the first time it is read, so a set costs almost nothing until it loads.
 */
export interface CdfLoaders<TNotFound extends null = null> {
  readonly files: FilesLoader<TNotFound>;
  readonly assets: AssetsLoader<TNotFound>;
  readonly events: EventsLoader<TNotFound>;
  readonly timeSeries: TimeSeriesLoader<TNotFound>;
  readonly sequences: SequencesLoader<TNotFound>;
  /** Download links (see `createFileLinksLoader`), with the set's `fileLinks` options. */
  readonly fileLinks: FileLinksLoader<TNotFound>;
  /** Nodes and edges (see `createInstancesLoader`), with the set's `instances.sources`. */
  readonly instances: InstancesLoader<TNotFound>;
  /** Closes every loader of the set made so far (see `ByIdsLoader.close`); idempotent. */
  close(): Promise<void>;
}

/** A loader for any byids resource: one of `resources`, or your own from `defineResource`. */
export function createByIdsLoader<TItem extends object, TIdentifier, TMissing extends MissingPolicy = 'null'>(
  resource: Resource<TItem, TIdentifier>,
  options: LoaderOptions & { missing?: TMissing },
): ByIdsLoader<TItem, TIdentifier, NotFoundValue<TMissing>> {
  const checked = checkOptions(options);
  return createLoader(resource, checked, new LoaderSetParts(checked));
}

/** A loader for file metadata (`files/byids`). */
export function createFilesLoader<TMissing extends MissingPolicy = 'null'>(
  options: LoaderOptions & { missing?: TMissing },
): FilesLoader<NotFoundValue<TMissing>> {
  return createByIdsLoader(resources.files, options);
}

/**
 * A loader of download links (`POST files/downloadlink`): lookups of every caller coalesced,
 * deduped and sent in requests of at most 100 (CDF's limit; `maxBatchSize` 1..100). A link is
 * cached until `expiryMarginMs` before it expires, and never handed out expired. An unknown file
 * is `null` (or `NotFoundError` with `missing: 'error'`).
 */
export function createFileLinksLoader<TMissing extends MissingPolicy = 'null'>(
  options: LoaderOptions & FileLinksOptions & { missing?: TMissing },
): FileLinksLoader<NotFoundValue<TMissing>> {
  const checked = checkOptions(options, FILE_LINKS_KEYS);
  if (options.maxBatchSize !== undefined) checkCount('maxBatchSize', options.maxBatchSize, 1, MAX_LINKS_PER_REQUEST, "CDF's limit for files/downloadlink");
  return createLoader(fileLinksResource(checked.fileLinks), checked, new LoaderSetParts(checked));
}

/**
 * A loader of data-modeling nodes and edges (`POST models/instances/byids`) by
 * `{ instanceType, space, externalId }`, with `sources` (views) sent with every request of up
 * to 1000. An unknown instance is `null` (or `NotFoundError` with `missing: 'error'`).
 */
export function createInstancesLoader<TMissing extends MissingPolicy = 'null'>(
  options: LoaderOptions & InstancesOptions & { missing?: TMissing },
): InstancesLoader<NotFoundValue<TMissing>> {
  const checked = checkOptions(options, INSTANCES_KEYS);
  return createLoader(instancesResource(checked.instances.sources), checked, new LoaderSetParts(checked));
}

/**
 * Loaders for files, assets, events, time series, sequences, download links and instances of
 * one project. They share the token and the concurrency limit, because CDF throttles per
 * identity and per project.
 */
export function createCdfLoaders<TMissing extends MissingPolicy = 'null'>(
  options: LoaderOptions & LoaderSetOptions & { missing?: TMissing },
): CdfLoaders<NotFoundValue<TMissing>> {
  return createLoaderSet(checkOptions(options, LOADER_SET_KEYS));
}

/** @internal A loader set from options already checked (the pool checks once for all principals). */
export function createLoaderSet<TNotFound extends null>(options: CheckedOptions): CdfLoaders<TNotFound> {
  const parts = new LoaderSetParts(options);
  const made: { close(): Promise<void> }[] = [];
  let closed = false;
  // The resource too is made on first use: an instances resource hashes its `sources`.
  const lazy = <TItem extends object, TIdentifier>(resourceOf: () => Resource<TItem, TIdentifier>) => {
    let loader: ByIdsLoader<TItem, TIdentifier, TNotFound> | undefined;
    return (): ByIdsLoader<TItem, TIdentifier, TNotFound> => {
      if (loader === undefined) {
        loader = createLoader(resourceOf(), options, parts);
        made.push(loader);
        // Made after the set closed: closed too, so it sends nothing.
        if (closed) void loader.close();
      }
      return loader;
    };
  };
  const files = lazy(() => resources.files);
  const assets = lazy(() => resources.assets);
  const events = lazy(() => resources.events);
  const timeSeries = lazy(() => resources.timeSeries);
  const sequences = lazy(() => resources.sequences);
  const fileLinks = lazy(() => fileLinksResource(options.fileLinks));
  const instances = lazy(() => instancesResource(options.instances.sources));
  return {
    get files() {
      return files();
    },
    get assets() {
      return assets();
    },
    get events() {
      return events();
    },
    get timeSeries() {
      return timeSeries();
    },
    get sequences() {
      return sequences();
    },
    get fileLinks() {
      return fileLinks();
    },
    get instances() {
      return instances();
    },
    close: async () => {
      closed = true;
      await Promise.all(made.map((loader) => loader.close()));
    },
  };
}

/** What the loaders of one set share: the sender (with its transport and limit) and the shared tier's health. */
class LoaderSetParts {
  readonly limit: ConcurrencyLimit;
  readonly sender: Sender;
  readonly sharedCacheGuard = new SharedTierGuard('cache');

  constructor(options: CheckedOptions) {
    this.limit = options.limiter ?? new ConcurrencyLimit(options.maxConcurrency, options.adaptiveConcurrency);
    this.sender = new Sender({
      limit: this.limit,
      sharedConcurrency: options.sharedConcurrency,
      rate: options.requestRate === undefined && options.sharedRate === undefined ? undefined : new RequestRate(options.requestRate, options.sharedRate),
      retry: options.retry,
      transport: () => new Transport(options),
    });
  }
}

function createLoader<TItem extends object, TIdentifier, TNotFound extends null>(
  resource: Resource<TItem, TIdentifier>,
  options: CheckedOptions,
  parts: LoaderSetParts,
): ByIdsLoader<TItem, TIdentifier, TNotFound> {
  const telemetry = new Telemetry({ project: options.project, resource: resource.path }, options.onRequest);
  const { cache } = options;
  const { endpoint } = resource;
  const maxBatchSize = Math.min(options.maxBatchSize, endpoint?.maxItems ?? options.maxBatchSize);
  const target = endpoint === undefined ? byIdsTarget(resource.path) : { resource: resource.path, endpoint: endpoint.path, query: endpoint.query, body: endpoint.body, badItem: endpoint.badItem };
  const engine = new Engine<TItem>({
    resource,
    send: parts.sender.for(target, telemetry),
    maxBatchSize,
    batchWindowMs: options.batchWindowMs,
    cache: cache === false ? undefined : new ResultCache<TItem>(cache, endpoint),
    shared:
      cache === false || cache.shared === undefined
        ? undefined
        : new SharedTier<TItem>(
            cache.shared,
            { project: options.project, resource: endpoint?.scope ?? resource.path, principal: options.principal },
            parts.sharedCacheGuard,
            cache.staleIfErrorMs,
          ),
    missing: options.missing,
    telemetry,
    concurrencyLimit: () => parts.limit.current,
  });
  return new ByIdsLoader<TItem, TIdentifier, TNotFound>(engine, resource, {
    maxBatchSize,
    maxConcurrency: parts.limit.max,
    interactiveRecently: () => parts.limit.interactiveRecently,
  });
}
