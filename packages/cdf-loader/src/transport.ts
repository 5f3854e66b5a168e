import ky, { type KyInstance } from 'ky';
import { CdfApiError } from './errors/cdf-api-error.js';
import { type GetToken, TokenSource } from './token-source.js';
import { VERSION } from './version.js';

/** How the loader talks to CDF. */
export interface TransportOptions {
  baseUrl: string;
  project: string;
  getToken: GetToken;
  appId: string | undefined;
  timeoutMs: number;
  fetch: typeof globalThis.fetch | undefined;
}

/** The answer to one HTTP attempt of a byids request. */
export type AttemptOutcome =
  | { ok: true; items: readonly unknown[]; status: number; requestId: string | undefined }
  | AttemptFailure;

/** A failed attempt: the error for the keys, and whether and when to try again. */
export interface AttemptFailure {
  ok: false;
  error: CdfApiError;
  retryable: boolean;
  retryAfterMs: number | undefined;
}

/** Statuses CDF uses for "try again later": throttling and gateway trouble. */
const RETRYABLE_STATUSES = new Set([429, 502, 503, 504]);
const MAX_BODY_IN_ERROR = 2_000;

/**
 * One byids attempt at a time: auth, headers, a per-attempt timeout, and every failure turned
 * into a `CdfApiError` with what CDF said. Retrying is the caller's job, because a retry must
 * give up its concurrency slot while it waits (ky's own retry holds it).
 */
export class Transport {
  readonly #api: KyInstance;
  readonly #tokens: TokenSource;
  readonly #timeoutMs: number;

  constructor(options: TransportOptions) {
    const headers: Record<string, string> = { 'x-cdp-sdk': `cdf-loader:${VERSION}` };
    if (options.appId !== undefined) headers['x-cdp-app'] = options.appId;
    this.#api = ky.create({
      prefixUrl: `${options.baseUrl.replace(/\/+$/, '')}/api/v1/projects/${encodeURIComponent(options.project)}`,
      headers,
      retry: 0,
      timeout: false,
      throwHttpErrors: false,
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    });
    this.#tokens = new TokenSource(options.getToken);
    this.#timeoutMs = options.timeoutMs;
  }

  /**
   * Sends one `POST {resource}/byids` with `ignoreUnknownIds: true`. A 401 is answered by one
   * token refresh and one replay inside the same attempt; `timeoutMs` covers the whole attempt,
   * waiting for `getToken` included. `exchanged` hears of every HTTP exchange (a 401 and its
   * replay are two). Rejects only with the reason of `signal` when it aborts; every other failure
   * is an outcome.
   */
  async attempt(resource: string, items: readonly object[], signal: AbortSignal, exchanged: ExchangeListener): Promise<AttemptOutcome> {
    const body = JSON.stringify({ items, ignoreUnknownIds: true });
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), this.#timeoutMs);
    const attemptSignal = AbortSignal.any([signal, timeout.signal]);
    try {
      for (let refreshed = false; ; refreshed = true) {
        let token: string;
        try {
          token = await untilAborted(this.#tokens.get(), attemptSignal);
        } catch (cause) {
          if (signal.aborted) throw signal.reason;
          if (timeout.signal.aborted) return this.#timedOut(resource, ' waiting for `getToken`');
          return failure(new CdfApiError({ resource, status: 0, code: 0, message: '`getToken` failed', cause }), false);
        }
        const startedAt = performance.now();
        const outcome = await this.#exchange(resource, body, token, attemptSignal, signal, timeout.signal);
        exchanged(outcome, performance.now() - startedAt);
        if (outcome.ok || outcome.error.status !== 401) return outcome;
        if (!refreshed) {
          this.#tokens.refuse(token);
          continue;
        }
        const { error } = outcome;
        return failure(
          new CdfApiError({
            resource,
            status: 401,
            code: error.code,
            message: `${error.cdfMessage}; a new token from \`getToken\` was refused too`,
            requestId: error.requestId,
          }),
          false,
        );
      }
    } finally {
      clearTimeout(timer);
    }
  }

  async #exchange(
    resource: string,
    body: string,
    token: string,
    attemptSignal: AbortSignal,
    signal: AbortSignal,
    timeout: AbortSignal,
  ): Promise<AttemptOutcome> {
    try {
      const response = await this.#api.post(`${resource}/byids`, {
        body,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        signal: attemptSignal,
      });
      return readResponse(resource, response, await response.text());
    } catch (cause) {
      if (signal.aborted) throw signal.reason;
      if (timeout.aborted) return this.#timedOut(resource, '');
      const message = cause instanceof Error ? cause.message : String(cause);
      return failure(new CdfApiError({ resource, status: 0, code: 0, message: `network error: ${message}`, cause }), true);
    }
  }

  #timedOut(resource: string, where: string): AttemptOutcome {
    return failure(new CdfApiError({ resource, status: 0, code: 0, message: `timed out after ${this.#timeoutMs} ms${where}` }), true);
  }
}

/** Hears of one HTTP exchange: its outcome and how long it took, in milliseconds. */
export type ExchangeListener = (outcome: AttemptOutcome, durationMs: number) => void;

/** The value, or a promise of it that rejects as soon as `signal` aborts. */
function untilAborted<T>(value: T | Promise<T>, signal: AbortSignal): T | Promise<T> {
  if (!(value instanceof Promise)) return value;
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    value.then(
      (result) => {
        signal.removeEventListener('abort', onAbort);
        resolve(result);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error as Error);
      },
    );
  });
}

function readResponse(resource: string, response: Response, text: string): AttemptOutcome {
  const status = response.status;
  const requestId = response.headers.get('x-request-id') ?? undefined;
  const json = parseJson(text);
  if (response.ok) {
    const items = (json as { items?: unknown } | undefined)?.items;
    const problem = !isObject(json)
      ? 'the response body is not a JSON object'
      : !Array.isArray(items)
        ? 'the response has no `items` array'
        : describeBadItem(items);
    if (problem === undefined) return { ok: true, items: items as unknown[], status, requestId };
    return failure(
      new CdfApiError({ resource, status, code: status, message: problem, requestId, body: text.slice(0, MAX_BODY_IN_ERROR) }),
      false,
    );
  }

  const cdfError = isObject(json) && isObject(json.error) ? json.error : undefined;
  const error = new CdfApiError({
    resource,
    status,
    code: typeof cdfError?.code === 'number' ? cdfError.code : status,
    message: typeof cdfError?.message === 'string' ? cdfError.message : response.statusText || 'no error message',
    requestId,
    missing: Array.isArray(cdfError?.missing) ? cdfError.missing : undefined,
    duplicated: Array.isArray(cdfError?.duplicated) ? cdfError.duplicated : undefined,
    body: cdfError === undefined ? text.slice(0, MAX_BODY_IN_ERROR) : undefined,
  });
  const autoRetryable = response.headers.get('cdf-is-auto-retryable');
  const retryable = RETRYABLE_STATUSES.has(status) || (autoRetryable !== null && autoRetryable.toLowerCase() !== 'false');
  return failure(error, retryable, parseRetryAfter(response.headers.get('retry-after')));
}

/** Every item must at least be an object with a numeric `id`, or it cannot be matched to a key. */
function describeBadItem(items: readonly unknown[]): string | undefined {
  for (let index = 0; index < items.length; index++) {
    const item = items[index];
    if (!isObject(item) || typeof item.id !== 'number') {
      return `the response's items[${index}] is not an item with a numeric \`id\``;
    }
  }
  return undefined;
}

/** `Retry-After` is either delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
function parseRetryAfter(header: string | null): number | undefined {
  if (header === null) return undefined;
  const seconds = Number(header);
  if (header.trim() !== '' && Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function failure(error: CdfApiError, retryable: boolean, retryAfterMs?: number): AttemptOutcome {
  return { ok: false, error, retryable, retryAfterMs };
}
