import { channel } from 'node:diagnostics_channel';

/** Fields every event carries: which loader it came from. */
export interface EventSource {
  /** The CDF project. */
  project: string;
  /** The resource path: `files`, `assets`, `events`, `timeseries` or `sequences`. */
  resource: string;
}

/** One HTTP attempt of a byids request, as reported to `onRequest` and `cdf-loader:request`. */
export interface RequestEvent extends EventSource {
  /** How many identifiers the request carried. */
  items: number;
  /** HTTP status; 0 when no response arrived (network error, timeout). */
  status: number;
  /** When the attempt was sent, in epoch milliseconds. */
  startTime: number;
  /** From sending to the whole answer read, in milliseconds. */
  durationMs: number;
  /** 1 for the first attempt, 2 for the first retry, … */
  attempt: number;
  /** CDF's `x-request-id`, when a response arrived. */
  requestId: string | undefined;
  /** The error of a failed attempt (retried or not); `undefined` for a success. */
  error: Error | undefined;
}

/** A byids request about to be sent for the first time (`cdf-loader:batch`). */
export interface BatchEvent extends EventSource {
  /** Identifiers in the request. */
  items: number;
}

/** A failed attempt that will be retried (`cdf-loader:retry`). */
export interface RetryEvent extends EventSource {
  items: number;
  /** The attempt that failed: 1 for the first. */
  attempt: number;
  /** HTTP status of the failed attempt; 0 when no response arrived. */
  status: number;
  /** How long the request waits before the next attempt, in milliseconds. */
  delayMs: number;
}

/**
 * How a load was answered (`cdf-loader:load`). `staleWhileRevalidate`: at once, from an entry past
 * `ttlMs`, while the key is refreshed. `stale` is not a load of its own: it follows the `queued`
 * event of a key whose request met an outage and that was answered from its stale entry instead
 * (stale if error), once per key.
 */
export type LoadOutcome = 'cacheHit' | 'inflightJoin' | 'queued' | 'invalid' | 'staleWhileRevalidate' | 'stale';

/** A load started (`cdf-loader:load`): one event per key, `loadMany` included; `stale` after `queued`, see `LoadOutcome`. */
export interface LoadEvent extends EventSource {
  outcome: LoadOutcome;
}

/** A load answered from the cache, or not (`cdf-loader:cache`). */
export interface CacheEvent extends EventSource {
  hit: boolean;
}

/** Keys of one answered request that CDF had no item for (`cdf-loader:notFound`). */
export interface NotFoundEvent extends EventSource {
  count: number;
}

/** The adaptive concurrency limit changed (`cdf-loader:concurrency`). */
export interface ConcurrencyEvent {
  /** The limit in force now. */
  limit: number;
  /** The configured maximum. */
  max: number;
  /** The limit's own id, stable for its lifetime, to tell several limits apart. */
  limiterId: number;
}

/** The shared tier (`cache.shared`, `sharedConcurrency`, `sharedRate`) went away or came back (`cdf-loader:sharedTier`). */
export interface SharedTierEvent {
  /** Which part: the shared cache, the shared concurrency budget or the shared request rate. */
  tier: 'cache' | 'concurrency' | 'rate';
  /** `down`: the first failure of an outage, after which the loader works without it; `up`: it answers again. */
  state: 'down' | 'up';
  /** The failure that started the outage. */
  error: Error | undefined;
}

/** Counters since the loader was created. */
export interface LoaderStats {
  /** Calls of `load` (each key of `loadMany` counts). */
  loads: number;
  /** Loads answered from the cache. */
  cacheHits: number;
  /** Keys answered by the shared cache tier (`cache.shared`) instead of CDF. */
  sharedHits: number;
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
  /**
   * Keys answered from a stale entry (`cache.staleIfErrorMs`) because their request met an
   * outage; each key once, however many loads waited on it.
   */
  staleServed: number;
  /** Loads answered at once from an entry past `ttlMs` while it was refreshed (`cache.staleWhileRevalidateMs`). */
  staleWhileRevalidate: number;
  /** The concurrency in force now: `maxConcurrency`, or less while CDF answers 429. */
  concurrencyLimit: number;
}

/**
 * The names of the `node:diagnostics_channel` channels cdf-loader publishes on. Subscribe with
 * `diagnostics_channel.subscribe(channels.request, (event) => …)`; nothing is built or sent
 * while a channel has no subscriber. `request`, `retry` and `batch` are published in the async
 * context of the load that opened the request, so a tracer's active span there is that load's.
 */
export const channels = {
  /** `LoadEvent`: a load started, and how it is answered. */
  load: 'cdf-loader:load',
  /** `CacheEvent`: a load was, or was not, answered from the cache. */
  cache: 'cdf-loader:cache',
  /** `BatchEvent`: a request is about to be sent. */
  batch: 'cdf-loader:batch',
  /** `RequestEvent`: an HTTP attempt finished. */
  request: 'cdf-loader:request',
  /** `RetryEvent`: a failed attempt will be retried. */
  retry: 'cdf-loader:retry',
  /** `NotFoundEvent`: keys of an answered request had no item. */
  notFound: 'cdf-loader:notFound',
  /** `ConcurrencyEvent`: the adaptive concurrency limit changed. */
  concurrency: 'cdf-loader:concurrency',
  /** `SharedTierEvent`: the shared cache or budget went down, or came back. */
  sharedTier: 'cdf-loader:sharedTier',
} as const;

const loadChannel = channel(channels.load);
const cacheChannel = channel(channels.cache);
const batchChannel = channel(channels.batch);
const requestChannel = channel(channels.request);
const retryChannel = channel(channels.retry);
const notFoundChannel = channel(channels.notFound);
const concurrencyChannel = channel(channels.concurrency);
const sharedTierChannel = channel(channels.sharedTier);

/** Tells `cdf-loader:concurrency` that a limit changed. */
export function publishConcurrency(event: ConcurrencyEvent): void {
  if (concurrencyChannel.hasSubscribers) concurrencyChannel.publish(event);
}

/** Tells `cdf-loader:sharedTier` that a shared tier went down or came back. */
export function publishSharedTier(event: SharedTierEvent): void {
  if (sharedTierChannel.hasSubscribers) sharedTierChannel.publish(event);
}

/**
 * The one place a loader's events go: the counters of `stats()`, the `onRequest` hook and the
 * diagnostics channels all read from here, so they always agree. One method per event.
 */
export class Telemetry {
  #loads = 0;
  #cacheHits = 0;
  #sharedHits = 0;
  #inflightJoins = 0;
  #invalid = 0;
  #requests = 0;
  #requestFailures = 0;
  #retries = 0;
  #itemsRequested = 0;
  #itemsReturned = 0;
  #notFound = 0;
  #staleServed = 0;
  #staleWhileRevalidate = 0;
  readonly #source: EventSource;
  readonly #onRequest: ((event: RequestEvent) => void) | undefined;

  constructor(source: EventSource, onRequest: ((event: RequestEvent) => void) | undefined) {
    this.#source = source;
    this.#onRequest = onRequest;
  }

  /** A load was answered by the cache (`hit`), or not. */
  cacheHit(): void {
    this.#loads++;
    this.#cacheHits++;
    this.#publishLoad('cacheHit', true);
  }

  /** A load joined a key already queued or in flight. */
  inflightJoin(): void {
    this.#loads++;
    this.#inflightJoins++;
    this.#publishLoad('inflightJoin', false);
  }

  /** A load put a new key in the queue. */
  queued(): void {
    this.#loads++;
    this.#publishLoad('queued', false);
  }

  /** A load was refused for its identifier. */
  invalid(): void {
    this.#loads++;
    this.#invalid++;
    if (loadChannel.hasSubscribers) loadChannel.publish({ ...this.#source, outcome: 'invalid' } satisfies LoadEvent);
  }

  batch(items: number): void {
    if (batchChannel.hasSubscribers) batchChannel.publish({ ...this.#source, items } satisfies BatchEvent);
  }

  request(event: Omit<RequestEvent, keyof EventSource>): void {
    this.#requests++;
    this.#itemsRequested += event.items;
    if (this.#onRequest === undefined && !requestChannel.hasSubscribers) return;
    const full: RequestEvent = { ...this.#source, ...event };
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

  retry(event: Omit<RetryEvent, keyof EventSource>): void {
    this.#retries++;
    if (retryChannel.hasSubscribers) retryChannel.publish({ ...this.#source, ...event } satisfies RetryEvent);
  }

  /** An answer came with this many items, and left this many keys without one. */
  answered(itemsReturned: number, notFound: number): void {
    this.#itemsReturned += itemsReturned;
    if (notFound === 0) return;
    this.#notFound += notFound;
    if (notFoundChannel.hasSubscribers) notFoundChannel.publish({ ...this.#source, count: notFound } satisfies NotFoundEvent);
  }

  /** The shared cache tier answered this many keys of a request before it went to CDF. */
  sharedHits(count: number): void {
    this.#sharedHits += count;
  }

  /** A load was answered from an entry past `ttlMs` while the key is refreshed. */
  staleWhileRevalidate(): void {
    this.#loads++;
    this.#staleWhileRevalidate++;
    this.#publishLoad('staleWhileRevalidate', true);
  }

  /** A key whose request met an outage was answered from its stale entry. */
  staleServed(): void {
    this.#staleServed++;
    if (loadChannel.hasSubscribers) loadChannel.publish({ ...this.#source, outcome: 'stale' } satisfies LoadEvent);
  }

  /** A request failed for good. */
  requestFailed(): void {
    this.#requestFailures++;
  }

  stats(concurrencyLimit: number): LoaderStats {
    return {
      loads: this.#loads,
      cacheHits: this.#cacheHits,
      sharedHits: this.#sharedHits,
      inflightJoins: this.#inflightJoins,
      invalid: this.#invalid,
      requests: this.#requests,
      requestFailures: this.#requestFailures,
      retries: this.#retries,
      itemsRequested: this.#itemsRequested,
      itemsReturned: this.#itemsReturned,
      notFound: this.#notFound,
      staleServed: this.#staleServed,
      staleWhileRevalidate: this.#staleWhileRevalidate,
      concurrencyLimit,
    };
  }

  #publishLoad(outcome: LoadOutcome, hit: boolean): void {
    if (loadChannel.hasSubscribers) loadChannel.publish({ ...this.#source, outcome } satisfies LoadEvent);
    if (cacheChannel.hasSubscribers) cacheChannel.publish({ ...this.#source, hit } satisfies CacheEvent);
  }
}
