import type { Attributes, Counter, Histogram, Meter, ObservableGauge, ObservableResult } from '@opentelemetry/api';
import type { ConcurrencyEvent, LoadEvent, NotFoundEvent, RequestEvent, RetryEvent } from 'cdf-loader';
import { attributes, errorType } from './attributes.js';

/** The conventions' buckets for HTTP client durations, in seconds. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
/** Identifiers per request, up to CDF's 1000. */
const IDENTIFIER_BUCKETS = [1, 10, 50, 100, 250, 500, 750, 1000];

/** The loader's metrics on one meter, one method per event. */
export class LoaderMetrics {
  readonly #requestDuration: Histogram;
  readonly #requestIdentifiers: Histogram;
  readonly #loads: Counter;
  readonly #notFound: Counter;
  readonly #staleServed: Counter;
  readonly #retries: Counter;
  readonly #throttled: Counter;
  readonly #concurrencyLimit: ObservableGauge;
  /** The last event of each limit not yet reported back at its maximum. */
  readonly #limits = new Map<number, ConcurrencyEvent>();
  readonly #observeLimits = (result: ObservableResult): void => {
    for (const [limiterId, { limit, max }] of this.#limits) {
      result.observe(limit, { [attributes.limiterId]: limiterId });
      // Reported once back at its maximum, then forgotten: a pool's limits come and go.
      if (limit === max) this.#limits.delete(limiterId);
    }
  };

  constructor(meter: Meter) {
    this.#requestDuration = meter.createHistogram('cdf_loader.request.duration', {
      description: 'Duration of byids HTTP attempts, retries included, until the whole answer was read.',
      unit: 's',
      advice: { explicitBucketBoundaries: DURATION_BUCKETS },
    });
    this.#requestIdentifiers = meter.createHistogram('cdf_loader.request.identifiers', {
      description: 'Identifiers sent per byids HTTP attempt.',
      unit: '{identifier}',
      advice: { explicitBucketBoundaries: IDENTIFIER_BUCKETS },
    });
    this.#loads = meter.createCounter('cdf_loader.loads', {
      description: 'Loads, by how they were answered: cacheHit, inflightJoin (joined a key already asked for), queued (a new key for CDF), invalid or staleWhileRevalidate.',
      unit: '{load}',
    });
    this.#notFound = meter.createCounter('cdf_loader.not_found', {
      description: 'Keys CDF answered without an item: unknown ids, or items the token may not see.',
      unit: '{identifier}',
    });
    this.#staleServed = meter.createCounter('cdf_loader.stale_served', {
      description: 'Keys answered from a stale entry (cache.staleIfErrorMs) because their request met an outage: 5xx, 429 beyond the retries, no answer.',
      unit: '{identifier}',
    });
    this.#retries = meter.createCounter('cdf_loader.retries', {
      description: 'Failed byids attempts that will be retried.',
      unit: '{retry}',
    });
    this.#throttled = meter.createCounter('cdf_loader.throttled', {
      description: 'byids attempts CDF answered with 429 Too Many Requests.',
      unit: '{request}',
    });
    this.#concurrencyLimit = meter.createObservableGauge('cdf_loader.concurrency.limit', {
      description: 'The adaptive concurrency limit in force, for each limit that met a 429, until it is back at its maximum.',
      unit: '{request}',
    });
    this.#concurrencyLimit.addCallback(this.#observeLimits);
  }

  load(event: LoadEvent): void {
    // Not a load of its own: it follows the `queued` event of the key it answers.
    if (event.outcome === 'stale') this.#staleServed.add(1, { [attributes.resource]: event.resource });
    else this.#loads.add(1, { [attributes.resource]: event.resource, [attributes.loadOutcome]: event.outcome });
  }

  request(event: RequestEvent): void {
    const resource = { [attributes.resource]: event.resource };
    const outcome: Attributes = { ...resource };
    if (event.status > 0) outcome[attributes.httpStatus] = event.status;
    if (event.error !== undefined) outcome[attributes.errorType] = errorType(event.status, event.error);
    this.#requestDuration.record(event.durationMs / 1000, outcome);
    this.#requestIdentifiers.record(event.items, resource);
    if (event.status === 429) this.#throttled.add(1, resource);
  }

  retry(event: RetryEvent): void {
    const retry: Attributes = { [attributes.resource]: event.resource };
    if (event.status > 0) retry[attributes.httpStatus] = event.status;
    this.#retries.add(1, retry);
  }

  notFound(event: NotFoundEvent): void {
    this.#notFound.add(event.count, { [attributes.resource]: event.resource });
  }

  concurrency(event: ConcurrencyEvent): void {
    this.#limits.set(event.limiterId, event);
  }

  /** Stops reporting the gauge; instruments cannot be removed from a meter, so the rest just stop receiving. */
  stop(): void {
    this.#concurrencyLimit.removeCallback(this.#observeLimits);
    this.#limits.clear();
  }
}
