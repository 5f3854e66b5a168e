import { checkBoolean, checkCount, checkFunction, checkKnownKeys, checkMilliseconds, checkNonEmptyString, checkObject, checkOneOf, httpUrl } from './check.js';
import { ConcurrencyLimit, type ConcurrencyLimitOptions } from '../send/concurrency-limit.js';
import { describeValue } from './describe-value.js';
import { type CacheOptions, type CheckedCacheOptions, checkCache } from './cache-options.js';
import type { SharedConcurrency } from '../shared/shared-concurrency.js';
import type { SharedRate } from '../shared/shared-rate.js';
import { checkRequestRate, checkSharedRate, type RequestRateOptions } from './rate-options.js';
import type { RequestEvent } from '../telemetry/telemetry.js';
import type { GetToken } from '../auth/token-source.js';
import { type CheckedFileLinksOptions, checkFileLinksOptions, checkInstancesOptions, FILE_LINKS_KEYS, type FileLinksOptions, INSTANCES_KEYS, type InstancesOptions } from './reach-options.js';
import type { InstanceSource } from '../identifiers/instance-identifiers.js';

export type { CacheOptions } from './cache-options.js';
export type { RequestRateOptions } from './rate-options.js';

/** What to do with an identifier CDF has no item for. */
export type MissingPolicy = 'null' | 'error';

/** Backoff for retryable failures (429, 502, 503, 504, `cdf-is-auto-retryable`, network errors, timeouts). */
export interface RetryOptions {
  /**
   * Retries after the first attempt; 0 turns retrying off.
   * @default 5
   */
  limit?: number;
  /**
   * Cap of the first backoff, in milliseconds; each later retry doubles it (full jitter: the wait
   * is uniform between 0 and the cap).
   * @default 250
   */
  baseDelayMs?: number;
  /**
   * Longest wait before a retry, in milliseconds (at most 2^31−1, what a timer holds); also caps
   * a `Retry-After` header.
   * @default 15_000
   */
  maxDelayMs?: number;
}

/**
 * Who a request serves: `interactive` loads (a user waits) take the next free concurrency slot
 * first; `background` ones (`loadAll`) fill the slots nobody else wants and always keep at
 * least one, so bulk is never starved.
 */
export type Lane = 'interactive' | 'background';

/** Per-load options. */
export interface LoadOptions {
  /** Rejects this load with the signal's reason when it aborts; see "Cancellation". */
  signal?: AbortSignal | undefined;
}


/** How to reach CDF and how hard to push it: shared by every loader of `createCdfLoaders`. */
export interface ConnectionOptions {
  /** The cluster's URL, such as `https://westeurope-1.cognitedata.com`. Required. */
  baseUrl: string;
  /** The CDF project. Required. */
  project: string;
  /**
   * Supplies an OIDC access token. Called when no token is held and once after a 401 (then with
   * `{ refused: true }`, so a caching provider fetches a new one); concurrent requests share one
   * call, which `timeoutMs` bounds. Required. `clientCredentials(…)` makes one.
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
   * A limit from `createConcurrencyLimit`, to share with other loaders of the same project and
   * identity, instead of `maxConcurrency` and `adaptiveConcurrency` (the limit has its own).
   */
  limiter?: ConcurrencyLimit;
  /**
   * Halve the concurrency when CDF answers 429 and raise it by one per run of successful
   * requests (AIMD), never above `maxConcurrency`. Turn off only for an identity nobody else uses.
   * @default true
   */
  adaptiveConcurrency?: boolean;
  /**
   * A budget shared by the replicas of a service (`redisConcurrency` from `@cdf-loader/redis`):
   * all of them together hold at most its `limit` requests in flight, each also under its own.
   */
  sharedConcurrency?: SharedConcurrency;
  /**
   * A request rate for this loader (or for all loaders of `createCdfLoaders`): every attempt, each
   * retry included, waits for its turn instead of meeting CDF's 429. Default: no limit.
   */
  requestRate?: RequestRateOptions;
  /**
   * A request rate shared by the replicas of a service (`redisRate` from `@cdf-loader/redis`):
   * all of them together send at most its `perSecond` requests a second. While it cannot be
   * reached, this loader keeps to its `fallbackPerSecond` (and to `requestRate`, if given).
   * Default: none.
   */
  sharedRate?: SharedRate;
  /**
   * Who this loader acts as, in the keys of the shared cache tier: replicas with the same
   * principal share entries. A pool sets it per principal. Set it when one Redis serves loaders
   * with different credentials, so they never read each other's entries.
   * @default 'default'
   */
  principal?: string;
  /** Backoff for 429, 502, 503, 504, `cdf-is-auto-retryable`, network errors and timeouts. */
  retry?: RetryOptions;
  /**
   * Time allowed for one attempt, from asking `getToken` to the end of the answer, in
   * milliseconds (at most 2^31−1, what a timer holds, or `Infinity`).
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
   * milliseconds (at most 2^31−1) after the first new key for more keys to join.
   * @default 0
   */
  batchWindowMs?: number;
  /**
   * The result cache, or `false` for none (requests are still coalesced and deduped).
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

/** What `createCdfLoaders` (and `createCdfLoaderPool`) accept besides `LoaderOptions`. */
export interface LoaderSetOptions {
  /** Options of the set's `fileLinks` loader. */
  fileLinks?: FileLinksOptions;
  /** Options of the set's `instances` loader (its `sources`). */
  instances?: InstancesOptions;
}

/** The options of a loader set's own, beyond `LoaderOptions`. */
export const LOADER_SET_KEYS = ['fileLinks', 'instances'] as const satisfies readonly (keyof LoaderSetOptions)[];

export const MAX_BATCH_SIZE = 1000;

/** Options after checking, with defaults filled in: what the parts are built from. */
export interface CheckedOptions {
  baseUrl: string;
  project: string;
  getToken: GetToken;
  appId: string | undefined;
  /** The loader's own limit when no `limiter` was passed: made per loader set. */
  limiter: ConcurrencyLimit | undefined;
  maxConcurrency: number;
  adaptiveConcurrency: boolean;
  sharedConcurrency: SharedConcurrency | undefined;
  /** `requestRate.perSecond`, or undefined for no local rate. */
  requestRate: number | undefined;
  sharedRate: SharedRate | undefined;
  principal: string;
  retry: Required<RetryOptions>;
  timeoutMs: number;
  fetch: typeof globalThis.fetch | undefined;
  maxBatchSize: number;
  batchWindowMs: number;
  cache: CheckedCacheOptions;
  missing: MissingPolicy;
  onRequest: ((event: RequestEvent) => void) | undefined;
  /** Of `fileLinks` (or of `createFileLinksLoader`'s own options). */
  fileLinks: CheckedFileLinksOptions;
  /** `sources` of `instances` (or of `createInstancesLoader`). */
  instances: { sources: InstanceSource[] | undefined };
}

const CONNECTION_KEYS = [
  'baseUrl',
  'project',
  'getToken',
  'appId',
  'maxConcurrency',
  'limiter',
  'adaptiveConcurrency',
  'sharedConcurrency',
  'requestRate',
  'sharedRate',
  'principal',
  'retry',
  'timeoutMs',
  'fetch',
] as const satisfies readonly (keyof ConnectionOptions)[];
const BATCHING_KEYS = ['maxBatchSize', 'batchWindowMs', 'cache', 'missing', 'onRequest'] as const satisfies readonly (keyof BatchingOptions)[];
/** Every option `createByIdsLoader` knows. */
export const LOADER_OPTION_KEYS: readonly string[] = [...CONNECTION_KEYS, ...BATCHING_KEYS];

/**
 * Checks every option once and fills in defaults.
 * @param extraKeys Options the caller (the pool) takes out itself before passing the rest on.
 * @throws {TypeError} naming the option and the value.
 */
export function checkOptions(options: LoaderOptions, extraKeys: readonly string[] = []): CheckedOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`Options must be an object with \`baseUrl\`, \`project\` and \`getToken\`, got ${describeValue(options)}.`);
  }
  checkKnownKeys('', options, [...LOADER_OPTION_KEYS, ...extraKeys]);
  if (options.limiter !== undefined && (options.maxConcurrency !== undefined || options.adaptiveConcurrency !== undefined)) {
    throw new TypeError(
      'Pass either `limiter` or `maxConcurrency`/`adaptiveConcurrency`, not both: a shared limit has its own settings (see `createConcurrencyLimit`).',
    );
  }
  const retry = checkObject('retry', options.retry ?? {});
  checkKnownKeys('retry.', retry, ['limit', 'baseDelayMs', 'maxDelayMs']);
  const baseDelayMs = checkMilliseconds('retry.baseDelayMs', retry.baseDelayMs ?? 250, 0, false);
  return {
    baseUrl: checkBaseUrl(options.baseUrl),
    project: checkNonEmptyString('project', options.project),
    getToken: checkFunction<GetToken>('getToken', options.getToken, true),
    appId: options.appId === undefined ? undefined : checkNonEmptyString('appId', options.appId),
    limiter: checkLimiter(options.limiter),
    maxConcurrency: checkCount('maxConcurrency', options.maxConcurrency ?? 4, 1),
    adaptiveConcurrency: checkBoolean('adaptiveConcurrency', options.adaptiveConcurrency ?? true),
    sharedConcurrency: checkSharedConcurrency(options.sharedConcurrency),
    requestRate: checkRequestRate(options.requestRate),
    sharedRate: checkSharedRate(options.sharedRate),
    principal: checkNonEmptyString('principal', options.principal ?? 'default'),
    retry: {
      limit: checkCount('retry.limit', retry.limit ?? 5, 0),
      baseDelayMs,
      maxDelayMs: checkMilliseconds('retry.maxDelayMs', retry.maxDelayMs ?? 15_000, baseDelayMs, false, '`retry.baseDelayMs`'),
    },
    timeoutMs: checkMilliseconds('timeoutMs', options.timeoutMs ?? 30_000, 1, true),
    fetch: checkFunction<typeof globalThis.fetch | undefined>('fetch', options.fetch, false),
    maxBatchSize: checkCount('maxBatchSize', options.maxBatchSize ?? MAX_BATCH_SIZE, 1, MAX_BATCH_SIZE, "CDF's limit"),
    batchWindowMs: checkMilliseconds('batchWindowMs', options.batchWindowMs ?? 0, 0, false),
    cache: checkCache(options.cache),
    missing: checkMissing(options.missing ?? 'null'),
    onRequest: checkFunction<CheckedOptions['onRequest']>('onRequest', options.onRequest, false),
    ...checkReachOptions(options as LoaderSetOptions & FileLinksOptions & InstancesOptions, extraKeys),
  };
}

/**
 * The download-link and instance options: top-level for `createFileLinksLoader` and
 * `createInstancesLoader` (their keys in `extraKeys`), under `fileLinks` and `instances` for a set.
 */
function checkReachOptions(options: LoaderSetOptions & FileLinksOptions & InstancesOptions, extraKeys: readonly string[]): Pick<CheckedOptions, 'fileLinks' | 'instances'> {
  const fileLinks = checkObject('fileLinks', options.fileLinks ?? {});
  checkKnownKeys('fileLinks.', fileLinks, FILE_LINKS_KEYS);
  const instances = checkObject('instances', options.instances ?? {});
  checkKnownKeys('instances.', instances, INSTANCES_KEYS);
  return {
    fileLinks: extraKeys.includes('extendedExpiration') ? checkFileLinksOptions(options, '') : checkFileLinksOptions(fileLinks, 'fileLinks.'),
    instances: extraKeys.includes('sources') ? checkInstancesOptions(options, '') : checkInstancesOptions(instances, 'instances.'),
  };
}

/**
 * A concurrency limit to share between loaders made apart (pass it as `limiter`). Loaders of
 * one `createCdfLoaders` set already share one.
 * @throws {TypeError} naming the option and the value.
 */
export function createConcurrencyLimit(options: ConcurrencyLimitOptions = {}): ConcurrencyLimit {
  checkKnownKeys('', checkObject('options', options), ['maxConcurrency', 'adaptive']);
  return new ConcurrencyLimit(
    checkCount('maxConcurrency', options.maxConcurrency ?? 4, 1),
    checkBoolean('adaptive', options.adaptive ?? true),
  );
}

function checkBaseUrl(value: unknown): string {
  const url = httpUrl(value);
  if (url === undefined) {
    throw new TypeError(
      `\`baseUrl\` must be an http(s) URL such as 'https://westeurope-1.cognitedata.com', got ${describeValue(value)}.`,
    );
  }
  if (/\/api\/v\d+\//.test(`${url.pathname.replace(/\/+$/, '')}/`)) {
    throw new TypeError(
      `\`baseUrl\` must be the cluster's URL without a path (such as '${url.origin}'): the loader adds \`/api/v1/projects/<project>\` itself, got ${describeValue(value)}.`,
    );
  }
  return value as string;
}


function checkMissing(value: unknown): MissingPolicy {
  return checkOneOf('missing', value, ['null', 'error']);
}

function checkLimiter(value: unknown): ConcurrencyLimit | undefined {
  if (value === undefined || value instanceof ConcurrencyLimit) return value;
  throw new TypeError(`\`limiter\` must be a limit from \`createConcurrencyLimit()\`, got ${describeValue(value)}.`);
}


function checkSharedConcurrency(value: unknown): SharedConcurrency | undefined {
  if (value === undefined) return undefined;
  const shared = value as Partial<SharedConcurrency> | null;
  const count = (n: unknown): boolean => Number.isSafeInteger(n) && (n as number) >= 1;
  if (typeof shared !== 'object' || shared === null || typeof shared.acquire !== 'function' || !count(shared.limit) || !(shared.fallbackLimit === undefined || count(shared.fallbackLimit))) {
    throw new TypeError(
      `\`sharedConcurrency\` must be a shared budget (such as \`redisConcurrency(…)\` from @cdf-loader/redis) with integers \`limit\` and, if any, \`fallbackLimit\` ≥ 1, and \`acquire\`, got ${describeValue(value)}.`,
    );
  }
  return value as SharedConcurrency;
}
