import type { TokenAccess } from './data.js';
import type { Fault } from './faults.js';
import { outOfRange } from './range-error.js';
import type { ResourceName } from './resources.js';

/** The bearer token the fake accepts, with full access, unless `tokens` is given. */
export const DEFAULT_TOKEN = 'mock-token';
/** The project the fake serves unless `project` is given. */
export const DEFAULT_PROJECT = 'mock-project';
/** How many request log entries the fake keeps unless `logLimit` is given. */
export const DEFAULT_LOG_LIMIT = 10_000;

export interface MockCdfOptions {
  /** Interface to listen on. Default '127.0.0.1'. */
  host?: string;
  /** TCP port. Default 0: an ephemeral port (read it from `url`). */
  port?: number;
  /** The project in the path; any other project answers 404. Default DEFAULT_PROJECT. */
  project?: string;
  /** Seeds the data, the latency jitter, shuffling and `share` faults. Default 1. */
  seed?: number;
  /** Generated items per resource. Default: files 1000, each other resource 200. */
  counts?: Partial<Record<ResourceName, number>>;
  /** Replaces the generated items of a resource with these, served as given. Default: none. */
  items?: Partial<Record<ResourceName, Record<string, unknown>[]>>;
  /** Accepted bearer tokens and what each sees. A missing or unknown token answers 401. Default `{ [DEFAULT_TOKEN]: {} }`. */
  tokens?: Record<string, TokenAccess>;
  /** Added before every byids answer, in ms: `fixedMs` plus a seeded uniform 0..`jitterMs`. Default 0 (answer without any timer). */
  latency?: { fixedMs?: number; jitterMs?: number } | undefined;
  /** Requests served at once; one arriving while this many are in flight answers 429 at once (429s are not in flight). Default Infinity. */
  concurrencyLimit?: number | undefined;
  /** At most `requests` per sliding `intervalMs` (ms); beyond that 429 (throttled requests consume budget too). Default: none. */
  rateLimit?: { requests: number; intervalMs: number } | undefined;
  /** Sent as `Retry-After` (seconds or an HTTP date, as given) on throttling 429s. Default: not sent, as CDF. */
  retryAfter?: string | undefined;
  /** Return items in a seeded shuffled order instead of request order. Default false. */
  shuffle?: boolean | undefined;
  /**
   * What a request naming one item by two identifiers (a file by id and by externalId) gets:
   * `'duplicated'` a 400 (422 for time series) with `duplicated` listing the later identifiers,
   * as the same identifier twice gets (what CDF was seen to do; its docs are silent for files);
   * `'answered'` the item once per identifier, as the fake did before. Default `'duplicated'`.
   */
  aliasDuplicates?: 'duplicated' | 'answered' | undefined;
  /** Scripted faults, see `Fault`. Default none. */
  faults?: Fault[];
  /**
   * Most entries `log` keeps: beyond it the oldest entry is dropped as a new request arrives, so a
   * long-running fake holds bounded memory. Counters and request numbers count every request
   * regardless. 0 keeps none; Infinity keeps all. Default DEFAULT_LOG_LIMIT (10,000 entries).
   */
  logLimit?: number;
}

/** The options `configure()` can change on a running fake; `undefined` restores the default. */
export type MockCdfSettings = Pick<MockCdfOptions, 'latency' | 'concurrencyLimit' | 'rateLimit' | 'retryAfter' | 'shuffle' | 'aliasDuplicates'>;

/** The settings in `options`, as a fake starts with them. */
export function initialSettings(options: MockCdfOptions): MockCdfSettings {
  checkSettings(options);
  const { latency, concurrencyLimit, rateLimit, retryAfter, shuffle, aliasDuplicates } = options;
  return { latency, concurrencyLimit, rateLimit, retryAfter, shuffle, aliasDuplicates };
}

/** Throws a RangeError naming the first setting out of its range. */
export function checkSettings(settings: MockCdfSettings): void {
  const { latency, concurrencyLimit, rateLimit, aliasDuplicates } = settings;
  for (const key of ['fixedMs', 'jitterMs'] as const) {
    const ms = latency?.[key];
    if (ms !== undefined && !(Number.isFinite(ms) && ms >= 0)) throw outOfRange(`latency.${key}`, 'a non-negative number of ms', ms);
  }
  if (concurrencyLimit !== undefined && !(concurrencyLimit >= 1 && (Number.isInteger(concurrencyLimit) || concurrencyLimit === Infinity))) {
    throw outOfRange('concurrencyLimit', 'a positive integer or Infinity', concurrencyLimit);
  }
  if (rateLimit !== undefined && !(Number.isInteger(rateLimit.requests) && rateLimit.requests >= 1 && rateLimit.intervalMs > 0)) {
    throw outOfRange('rateLimit', '{ requests: a positive integer, intervalMs: a positive number }', rateLimit);
  }
  if (aliasDuplicates !== undefined && aliasDuplicates !== 'duplicated' && aliasDuplicates !== 'answered') {
    throw outOfRange('aliasDuplicates', "'duplicated' or 'answered'", aliasDuplicates);
  }
}

/** `logLimit` as given, or its default; a RangeError if it is neither a non-negative integer nor Infinity. */
export function logLimitOf(options: MockCdfOptions): number {
  const limit = options.logLimit ?? DEFAULT_LOG_LIMIT;
  if (!(limit === Infinity || (Number.isInteger(limit) && limit >= 0))) throw outOfRange('logLimit', 'a non-negative integer or Infinity', limit);
  return limit;
}
