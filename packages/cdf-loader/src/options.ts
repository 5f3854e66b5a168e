import type { LimitFunction } from 'p-limit';
import type { MissingPolicy, RetryOptions } from './batcher.js';
import type { CacheOptions } from './cache.js';
import { describeValue } from './describe-value.js';
import type { RequestEvent } from './telemetry.js';
import type { GetToken } from './token-source.js';

/** How to reach CDF and how hard to push it: shared by every loader of `createCdfLoaders`. */
export interface ConnectionOptions {
  /** The cluster's URL, such as `https://westeurope-1.cognitedata.com`. Required. */
  baseUrl: string;
  /** The CDF project. Required. */
  project: string;
  /**
   * Supplies an OIDC access token. Called when no token is held and once after a 401 (then with
   * `{ refused: true }`, so a caching provider fetches a new one); concurrent requests share one
   * call. Required.
   */
  getToken: GetToken;
  /** Sent as `x-cdp-app`, so Cognite can tell your service's traffic apart. */
  appId?: string;
  /**
   * byids requests in flight at once, for this loader (or for all loaders of `createCdfLoaders`).
   * CDF throttles per identity and per project; 4 is what Cognite's Python SDK uses for files.
   * @default 4
   */
  maxConcurrency?: number;
  /**
   * A `p-limit` limiter to share with other loaders of the same project, instead of
   * `maxConcurrency`. The loaders own its queue: do not call its `clearQueue()`.
   */
  limiter?: LimitFunction;
  /**
   * Halve the concurrency when CDF answers 429 and raise it by one per run of successful
   * requests (AIMD), never above `maxConcurrency`. Turn off only for an identity nobody else uses.
   * Loaders sharing one `limiter` share its controller, and with it the setting of the first.
   * @default true
   */
  adaptiveConcurrency?: boolean;
  /** Backoff for 429, 502, 503, 504, `cdf-is-auto-retryable`, network errors and timeouts. */
  retry?: RetryOptions;
  /**
   * Time allowed for one attempt, from sending to the end of the answer, in milliseconds.
   * @default 30_000
   */
  timeoutMs?: number;
  /** A `fetch` to use instead of the global one (a custom agent, a test double). */
  fetch?: typeof globalThis.fetch;
}

/** How one loader batches, caches and reports. */
export interface BatchingOptions {
  /**
   * Most identifiers in one byids request; CDF allows 1..1000.
   * @default 1000
   */
  maxBatchSize?: number;
  /**
   * 0: send what was asked in the same tick, like DataLoader. Above 0: wait that many
   * milliseconds after the first new key for more keys to join.
   * @default 0
   */
  batchWindowMs?: number;
  /**
   * The shared result cache, or `false` for none (requests are still coalesced and deduped).
   * @default { max: 10_000, ttlMs: 60_000, notFoundTtlMs: 5_000 }
   */
  cache?: CacheOptions | false;
  /**
   * An identifier CDF has no item for (or that this credential may not see): `'null'` resolves
   * it to `null`, `'error'` rejects it with `NotFoundError`.
   * @default 'null'
   */
  missing?: MissingPolicy;
  /** Called after every HTTP attempt, for metrics and tracing. Errors it throws become process warnings. */
  onRequest?: (event: RequestEvent) => void;
}

/** Everything `createByIdsLoader` and its siblings accept. */
export type LoaderOptions = ConnectionOptions & BatchingOptions;

export const MAX_BATCH_SIZE = 1000;

export type CheckedConnectionOptions = Required<Omit<ConnectionOptions, 'appId' | 'limiter' | 'fetch' | 'retry'>> & {
  appId: string | undefined;
  limiter: LimitFunction | undefined;
  fetch: typeof globalThis.fetch | undefined;
  retry: Required<RetryOptions>;
};

export interface CheckedBatchingOptions {
  maxBatchSize: number;
  batchWindowMs: number;
  cache: Required<CacheOptions> | false;
  missing: MissingPolicy;
  onRequest: ((event: RequestEvent) => void) | undefined;
}

/** Checks the connection options and fills in defaults. @throws {TypeError} naming the option and the value. */
export function checkConnectionOptions(options: ConnectionOptions): CheckedConnectionOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`Options must be an object with \`baseUrl\`, \`project\` and \`getToken\`, got ${describeValue(options)}.`);
  }
  if (options.limiter !== undefined && options.maxConcurrency !== undefined) {
    throw new TypeError('Pass either `limiter` or `maxConcurrency`, not both: a shared limiter sets the concurrency.');
  }
  const retry = options.retry ?? {};
  checkObject('retry', retry);
  const baseDelayMs = checkNonNegative('retry.baseDelayMs', retry.baseDelayMs ?? 250);
  return {
    baseUrl: checkHttpUrl('baseUrl', options.baseUrl, 'https://westeurope-1.cognitedata.com'),
    project: checkNonEmptyString('project', options.project),
    getToken: checkFunction('getToken', options.getToken, true) as GetToken,
    appId: options.appId === undefined ? undefined : checkNonEmptyString('appId', options.appId),
    maxConcurrency: checkPositiveInteger('maxConcurrency', options.maxConcurrency ?? 4),
    limiter: checkLimiter(options.limiter),
    adaptiveConcurrency: checkBoolean('adaptiveConcurrency', options.adaptiveConcurrency ?? true),
    retry: {
      limit: checkNonNegativeInteger('retry.limit', retry.limit ?? 5),
      baseDelayMs,
      maxDelayMs: checkAtLeast('retry.maxDelayMs', retry.maxDelayMs ?? 15_000, baseDelayMs, '`retry.baseDelayMs`'),
    },
    timeoutMs: checkPositive('timeoutMs', options.timeoutMs ?? 30_000),
    fetch: checkFunction('fetch', options.fetch, false) as typeof globalThis.fetch | undefined,
  };
}

/** Checks the batching options and fills in defaults. @throws {TypeError} naming the option and the value. */
export function checkBatchingOptions(options: BatchingOptions): CheckedBatchingOptions {
  return {
    maxBatchSize: checkBatchSize(options.maxBatchSize ?? MAX_BATCH_SIZE),
    batchWindowMs: checkNonNegative('batchWindowMs', options.batchWindowMs ?? 0),
    cache: checkCache(options.cache),
    missing: checkMissing(options.missing ?? 'null'),
    onRequest: checkFunction('onRequest', options.onRequest, false) as CheckedBatchingOptions['onRequest'],
  };
}

/** `value` if it is an http(s) URL. @throws {TypeError} naming the option, showing `example`. */
export function checkHttpUrl(name: string, value: unknown, example: string): string {
  let url: URL | undefined;
  if (typeof value === 'string') {
    try {
      url = new URL(value);
    } catch {
      url = undefined;
    }
  }
  if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new TypeError(`\`${name}\` must be an http(s) URL such as '${example}', got ${describeValue(value)}.`);
  }
  return value as string;
}

function checkBatchSize(value: unknown): number {
  if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > MAX_BATCH_SIZE) {
    throw new TypeError(`\`maxBatchSize\` must be an integer from 1 to ${MAX_BATCH_SIZE} (CDF's limit), got ${describeValue(value)}.`);
  }
  return value as number;
}

function checkCache(value: unknown): Required<CacheOptions> | false {
  if (value === false) return false;
  const cache = (value ?? {}) as CacheOptions;
  checkObject('cache', cache, ' or `false`');
  const ttlMs = cache.ttlMs ?? 60_000;
  if (ttlMs !== Number.POSITIVE_INFINITY) checkPositiveInteger('cache.ttlMs', ttlMs, ' or Infinity');
  return {
    max: checkPositiveInteger('cache.max', cache.max ?? 10_000),
    ttlMs,
    notFoundTtlMs: checkNonNegativeInteger('cache.notFoundTtlMs', cache.notFoundTtlMs ?? 5_000),
  };
}

function checkMissing(value: unknown): MissingPolicy {
  if (value !== 'null' && value !== 'error') {
    throw new TypeError(`\`missing\` must be 'null' or 'error', got ${describeValue(value)}.`);
  }
  return value;
}

function checkLimiter(value: unknown): LimitFunction | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function' || !Number.isSafeInteger((value as Partial<LimitFunction>).concurrency)) {
    throw new TypeError(`\`limiter\` must be a p-limit limiter (a function with a \`concurrency\`), got ${describeValue(value)}.`);
  }
  return value as LimitFunction;
}

function checkBoolean(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new TypeError(`\`${name}\` must be true or false, got ${describeValue(value)}.`);
  return value;
}

function checkObject(name: string, value: unknown, alternative = ''): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`\`${name}\` must be an object${alternative}, got ${describeValue(value)}.`);
  }
}

function checkNonEmptyString(name: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new TypeError(`\`${name}\` must be a non-empty string, got ${describeValue(value)}.`);
  }
  return value;
}

function checkFunction(name: string, value: unknown, required: boolean): unknown {
  if ((value !== undefined || required) && typeof value !== 'function') {
    throw new TypeError(`\`${name}\` must be a function, got ${describeValue(value)}.`);
  }
  return value;
}

function checkPositiveInteger(name: string, value: unknown, alternative = ''): number {
  if (!Number.isSafeInteger(value) || (value as number) < 1) {
    throw new TypeError(`\`${name}\` must be a positive integer${alternative}, got ${describeValue(value)}.`);
  }
  return value as number;
}

function checkNonNegativeInteger(name: string, value: unknown): number {
  if (!Number.isSafeInteger(value) || (value as number) < 0) {
    throw new TypeError(`\`${name}\` must be an integer ≥ 0, got ${describeValue(value)}.`);
  }
  return value as number;
}

function checkNonNegative(name: string, value: unknown): number {
  return checkAtLeast(name, value, 0, '0');
}

function checkPositive(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new TypeError(`\`${name}\` must be a finite number > 0, got ${describeValue(value)}.`);
  }
  return value;
}

function checkAtLeast(name: string, value: unknown, minimum: number, minimumName: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < minimum) {
    throw new TypeError(`\`${name}\` must be a finite number ≥ ${minimumName}, got ${describeValue(value)}.`);
  }
  return value;
}
