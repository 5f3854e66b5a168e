import type { ConcurrencyEvent } from 'cdf-loader';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** OpenTelemetry's buckets for HTTP client durations, in seconds: the same as `@cdf-loader/otel`'s. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
/** Identifiers per request, up to CDF's 1000. */
const IDENTIFIER_BUCKETS = [1, 10, 50, 100, 250, 500, 750, 1000];

/** The names of the metrics, after the prefix. */
export const METRIC_NAMES = [
  'request_duration_seconds',
  'request_identifiers',
  'loads_total',
  'not_found_total',
  'stale_served_total',
  'retries_total',
  'throttled_total',
  'concurrency_limit',
] as const;

/** The loader's metrics, registered on one registry. */
export interface LoaderMetrics {
  requestDuration: Histogram<'resource' | 'status'>;
  requestIdentifiers: Histogram<'resource'>;
  loads: Counter<'resource' | 'outcome'>;
  notFound: Counter<'resource'>;
  staleServed: Counter<'resource'>;
  retries: Counter<'resource' | 'status'>;
  throttled: Counter<'resource'>;
  /** The last event of each concurrency limit not yet scraped back at its maximum, by limiter id. */
  limits: Map<number, ConcurrencyEvent>;
}

export function createMetrics(registry: Registry, prefix: string): LoaderMetrics {
  const registers = [registry];
  const limits = new Map<number, ConcurrencyEvent>();
  new Gauge({
    name: `${prefix}concurrency_limit`,
    help: 'The adaptive concurrency limit in force, for each limit that met a 429, until it is scraped back at its maximum.',
    labelNames: ['limiter'],
    registers,
    collect() {
      this.reset();
      for (const [limiterId, { limit, max }] of limits) {
        this.set({ limiter: String(limiterId) }, limit);
        // Scraped once back at its maximum, then forgotten: a pool's limits come and go.
        if (limit === max) limits.delete(limiterId);
      }
    },
  });
  return {
    requestDuration: new Histogram({
      name: `${prefix}request_duration_seconds`,
      help: 'Duration of byids HTTP attempts, retries included, until the whole answer was read. status is 0 when no answer came.',
      labelNames: ['resource', 'status'],
      buckets: DURATION_BUCKETS,
      registers,
    }),
    requestIdentifiers: new Histogram({
      name: `${prefix}request_identifiers`,
      help: 'Identifiers sent per byids HTTP attempt.',
      labelNames: ['resource'],
      buckets: IDENTIFIER_BUCKETS,
      registers,
    }),
    loads: new Counter({
      name: `${prefix}loads_total`,
      help: 'Loads, by how they were answered: cacheHit, inflightJoin (joined a key already asked for), queued (a new key for CDF), invalid or staleWhileRevalidate.',
      labelNames: ['resource', 'outcome'],
      registers,
    }),
    notFound: new Counter({
      name: `${prefix}not_found_total`,
      help: 'Keys CDF answered without an item: unknown ids, or items the token may not see.',
      labelNames: ['resource'],
      registers,
    }),
    staleServed: new Counter({
      name: `${prefix}stale_served_total`,
      help: 'Keys answered from a stale entry (cache.staleIfErrorMs) because their request met an outage: 5xx, 429 beyond the retries, no answer.',
      labelNames: ['resource'],
      registers,
    }),
    retries: new Counter({
      name: `${prefix}retries_total`,
      help: 'Failed byids attempts that will be retried, by the status of the failed attempt (0: no answer).',
      labelNames: ['resource', 'status'],
      registers,
    }),
    throttled: new Counter({
      name: `${prefix}throttled_total`,
      help: 'byids attempts CDF answered with 429 Too Many Requests.',
      labelNames: ['resource'],
      registers,
    }),
    limits,
  };
}
