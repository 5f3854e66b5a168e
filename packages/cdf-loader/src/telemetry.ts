import { channel } from 'node:diagnostics_channel';

/** One HTTP attempt of a byids request, as reported to `onRequest` and `cdf-loader:request`. */
export interface RequestEvent {
  /** The resource path: `files`, `assets`, `events`, `timeseries` or `sequences`. */
  resource: string;
  /** How many identifiers the request carried. */
  items: number;
  /** HTTP status; 0 when no response arrived (network error, timeout). */
  status: number;
  /** From sending to the whole answer read, in milliseconds. */
  durationMs: number;
  /** 1 for the first attempt, 2 for the first retry, … */
  attempt: number;
  /** CDF's `x-request-id`, when a response arrived. */
  requestId: string | undefined;
}

/** A byids request about to be sent for the first time (`cdf-loader:batch`). */
export interface BatchEvent {
  resource: string;
  /** Identifiers in the request. */
  items: number;
}

/** A failed attempt that will be retried (`cdf-loader:retry`). */
export interface RetryEvent {
  resource: string;
  items: number;
  /** The attempt that failed: 1 for the first. */
  attempt: number;
  /** HTTP status of the failed attempt; 0 when no response arrived. */
  status: number;
  /** How long the request waits before the next attempt, in milliseconds. */
  delayMs: number;
}

/** A load answered from the cache, or not (`cdf-loader:cache`). */
export interface CacheEvent {
  resource: string;
  hit: boolean;
}

/** Counters since the loader was created. */
export interface LoaderStats {
  /** Calls of `load` (each key of `loadMany` counts). */
  loads: number;
  /** Loads answered from the cache. */
  cacheHits: number;
  /** Loads that joined a request already queued or in flight for the same key. */
  inflightJoins: number;
  /** Loads rejected with `InvalidIdentifierError`. */
  invalid: number;
  /** HTTP requests sent, retries included. */
  requests: number;
  /** byids requests that failed for good (their keys rejected). */
  requestFailures: number;
  /** Retried attempts. */
  retries: number;
  /** Identifiers sent, over all attempts. */
  itemsRequested: number;
  /** Items CDF returned. */
  itemsReturned: number;
  /** Keys CDF had no item for. */
  notFound: number;
  /** The concurrency in force now: `maxConcurrency`, or less while CDF answers 429. */
  concurrencyLimit: number;
}

/**
 * The names of the `node:diagnostics_channel` channels cdf-loader publishes on. Subscribe with
 * `diagnostics_channel.subscribe(channels.request, (event) => …)`; nothing is built or sent
 * while a channel has no subscriber.
 */
export const channels = {
  /** `BatchEvent`: a request is about to be sent. */
  batch: 'cdf-loader:batch',
  /** `RequestEvent`: an HTTP attempt finished. */
  request: 'cdf-loader:request',
  /** `RetryEvent`: a failed attempt will be retried. */
  retry: 'cdf-loader:retry',
  /** `CacheEvent`: a load was, or was not, answered from the cache. */
  cache: 'cdf-loader:cache',
} as const;

const batchChannel = channel(channels.batch);
const requestChannel = channel(channels.request);
const retryChannel = channel(channels.retry);
const cacheChannel = channel(channels.cache);

type Counters = Omit<LoaderStats, 'concurrencyLimit'>;

/**
 * The one place a loader's events go: the counters of `stats()`, the `onRequest` hook and the
 * diagnostics channels all read from here, so they always agree.
 */
export class Telemetry {
  readonly counters: Counters = {
    loads: 0,
    cacheHits: 0,
    inflightJoins: 0,
    invalid: 0,
    requests: 0,
    requestFailures: 0,
    retries: 0,
    itemsRequested: 0,
    itemsReturned: 0,
    notFound: 0,
  };
  readonly #resource: string;
  readonly #onRequest: ((event: RequestEvent) => void) | undefined;

  constructor(resource: string, onRequest: ((event: RequestEvent) => void) | undefined) {
    this.#resource = resource;
    this.#onRequest = onRequest;
  }

  cacheLookup(hit: boolean): void {
    if (hit) this.counters.cacheHits++;
    if (cacheChannel.hasSubscribers) cacheChannel.publish({ resource: this.#resource, hit } satisfies CacheEvent);
  }

  batch(items: number): void {
    if (batchChannel.hasSubscribers) batchChannel.publish({ resource: this.#resource, items } satisfies BatchEvent);
  }

  request(event: Omit<RequestEvent, 'resource'>): void {
    this.counters.requests++;
    this.counters.itemsRequested += event.items;
    if (this.#onRequest === undefined && !requestChannel.hasSubscribers) return;
    const full: RequestEvent = { resource: this.#resource, ...event };
    if (this.#onRequest !== undefined) {
      try {
        this.#onRequest(full);
      } catch (error) {
        // A metrics hook must not fail the lookups it observes.
        process.emitWarning(error instanceof Error ? error : String(error), 'CdfLoaderWarning');
      }
    }
    if (requestChannel.hasSubscribers) requestChannel.publish(full);
  }

  retry(event: Omit<RetryEvent, 'resource'>): void {
    this.counters.retries++;
    if (retryChannel.hasSubscribers) retryChannel.publish({ resource: this.#resource, ...event } satisfies RetryEvent);
  }
}
