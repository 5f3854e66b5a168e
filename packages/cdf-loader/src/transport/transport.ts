import { abortable } from '../abortable.js';
import { describeValue } from '../options/describe-value.js';
import { CdfApiError } from '../errors/cdf-api-error.js';
import { TokenProviderError } from '../errors/token-provider-error.js';
import { type GetToken, TokenSource } from '../auth/token-source.js';
import { VERSION } from '../version.js';
import { isObject, parseJson } from './json.js';

/** How the loader talks to CDF. */
export interface TransportOptions {
  baseUrl: string;
  project: string;
  getToken: GetToken;
  appId: string | undefined;
  timeoutMs: number;
  fetch: typeof globalThis.fetch | undefined;
}

/**
 * Where a loader's requests go and what their bodies and answers look like: `byIdsTarget` for
 * byids resources, or another endpoint's (`files/downloadlink`, `models/instances/byids`).
 */
export interface RequestTarget {
  /** The resource, for errors: `files`. */
  readonly resource: string;
  /** The path after `…/projects/{project}/`: `files/byids`. */
  readonly endpoint: string;
  /** A query string with its `?`, or `''`. */
  readonly query: string;
  /** The JSON body for these identifiers. */
  body(identifiers: readonly object[]): string;
  /** Why an answer item makes the whole answer malformed (`is not …`), or `undefined`. */
  badItem(item: unknown): string | undefined;
}

/** `POST {resource}/byids` with `ignoreUnknownIds: true`; every item must carry a numeric `id`. */
export function byIdsTarget(resource: string): RequestTarget {
  return {
    resource,
    endpoint: `${resource}/byids`,
    query: '',
    body: (items) => JSON.stringify({ items, ignoreUnknownIds: true }),
    badItem: (item) => (isObject(item) && typeof item.id === 'number' ? undefined : 'is not an item with a numeric `id`'),
  };
}

/** The answer to one attempt of a request. */
export type AttemptOutcome = AttemptSuccess | AttemptFailure;

export interface AttemptSuccess {
  ok: true;
  items: readonly unknown[];
  status: number;
  requestId: string | undefined;
  /** When the exchange that answered was sent, epoch ms on `Date.now()` (a download link's life starts then). */
  sentAt: number;
}

/**
 * What went wrong, as facts for the retry policy to judge: `http` an error status, `network`
 * no answer, `timeout` no whole answer within `timeoutMs`, `malformed` a success status with a
 * body that is not a byids answer, `token` `getToken` failed, `tokenTimeout` it did not answer
 * within `timeoutMs`.
 */
export type FailureKind = 'http' | 'network' | 'timeout' | 'malformed' | 'token' | 'tokenTimeout';

/** A failed attempt: the error for the keys, and what the answer said about trying again. */
export interface AttemptFailure {
  ok: false;
  kind: FailureKind;
  error: CdfApiError | TokenProviderError;
  /** HTTP status; 0 when no response arrived. */
  status: number;
  requestId: string | undefined;
  /** From a `Retry-After` header, in milliseconds. */
  retryAfterMs: number | undefined;
  /** CDF's `cdf-is-auto-retryable` header said so. */
  autoRetryable: boolean;
}

const MAX_BODY_IN_ERROR = 2_000;

/**
 * One byids attempt at a time: auth, headers, a per-attempt timeout, and every failure turned
 * into a typed error with what CDF said. Retrying is the sender's job, because a retry must
 * give up its concurrency slot while it waits, and the timeout must cover waiting for
 * `getToken`; so ky's retry and timeout do not fit, and the attempt is a plain `fetch`. (Through
 * ky it cost 0.2–0.4 ms more CPU a request: ky clones every request ahead of the retries it
 * would make, and the clone's teed body is streamed where the string was written at once.)
 */
export class Transport {
  /** `{baseUrl}/api/v1/projects/{project}/`, where each resource's path goes. */
  readonly #projectUrl: string;
  readonly #headers: Readonly<Record<string, string>>;
  /** The `fetch` option; the global one, looked up at each request, when absent. */
  readonly #fetch: typeof globalThis.fetch | undefined;
  readonly #tokens: TokenSource;
  readonly #timeoutMs: number;

  constructor(options: TransportOptions) {
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-cdp-sdk': `cdf-loader:${VERSION}` };
    if (options.appId !== undefined) headers['x-cdp-app'] = options.appId;
    this.#projectUrl = `${options.baseUrl.replace(/\/+$/, '')}/api/v1/projects/${encodeURIComponent(options.project)}/`;
    this.#headers = headers;
    this.#fetch = options.fetch;
    this.#tokens = new TokenSource(options.getToken);
    this.#timeoutMs = options.timeoutMs;
  }

  /**
   * Sends one request to `target` (for byids, `POST {resource}/byids` with `ignoreUnknownIds: true`). A 401 is answered by one
   * token refresh and one replay inside the same attempt; `timeoutMs` covers the whole attempt,
   * waiting for `getToken` included, and a `getToken` call it cut short is forgotten, so the
   * next attempt asks again. `exchanged` hears of every HTTP exchange (a 401 and its replay are
   * two). Rejects only with the reason of `signal` when it aborts; every other failure is an
   * outcome.
   */
  async attempt(target: RequestTarget, items: readonly object[], signal: AbortSignal, exchanged: ExchangeListener): Promise<AttemptOutcome> {
    const body = target.body(items);
    const timeout = new AbortController();
    const timer = this.#timeoutMs === Number.POSITIVE_INFINITY ? undefined : setTimeout(() => timeout.abort(), this.#timeoutMs);
    const attemptSignal = AbortSignal.any([signal, timeout.signal]);
    try {
      for (let refreshed = false; ; refreshed = true) {
        const pendingToken = this.#tokens.get();
        let token: string;
        try {
          token = await abortable(pendingToken, attemptSignal);
        } catch (cause) {
          if (signal.aborted) throw signal.reason;
          if (timeout.signal.aborted) {
            this.#tokens.forget(pendingToken);
            const error = new TokenProviderError(`\`getToken\` did not answer within ${this.#timeoutMs} ms (\`timeoutMs\`); the next attempt asks again`);
            return failure('tokenTimeout', error);
          }
          return failure('token', tokenProviderError(cause));
        }
        const startedAt = performance.now();
        // On the clock tracers use (OpenTelemetry's hrTime), so an attempt's span sits inside its parent's.
        const startTime = performance.timeOrigin + startedAt;
        // On the wall clock callers compare an `expiresAt` with; `startTime` is on the tracers' clock.
        const sentAt = Date.now();
        const outcome = await this.#exchange(target, body, token, sentAt, attemptSignal, signal, timeout.signal);
        exchanged(outcome, startTime, performance.now() - startedAt);
        if (outcome.ok || outcome.status !== 401) return outcome;
        if (!refreshed) {
          this.#tokens.refuse(token);
          continue;
        }
        const error = outcome.error as CdfApiError;
        return failure(
          'http',
          new CdfApiError({
            resource: target.resource,
            endpoint: target.endpoint,
            status: 401,
            code: error.code,
            message: `${error.cdfMessage}; a new token from \`getToken\` was refused too`,
            requestId: error.requestId,
          }),
          { status: 401, requestId: error.requestId },
        );
      }
    } finally {
      clearTimeout(timer);
    }
  }

  async #exchange(
    target: RequestTarget,
    body: string,
    token: string,
    sentAt: number,
    attemptSignal: AbortSignal,
    signal: AbortSignal,
    timeout: AbortSignal,
  ): Promise<AttemptOutcome> {
    try {
      const fetch = this.#fetch ?? globalThis.fetch;
      const response = await fetch(`${this.#projectUrl}${target.endpoint}${target.query}`, {
        method: 'POST',
        body,
        headers: { ...this.#headers, authorization: `Bearer ${token}` },
        signal: attemptSignal,
      });
      return readResponse(target, response, await response.text(), sentAt);
    } catch (cause) {
      if (signal.aborted) throw signal.reason;
      const { resource, endpoint } = target;
      if (timeout.aborted) {
        return failure('timeout', new CdfApiError({ resource, endpoint, status: 0, code: 0, message: `timed out after ${this.#timeoutMs} ms` }));
      }
      const message = cause instanceof Error ? cause.message : String(cause);
      return failure('network', new CdfApiError({ resource, endpoint, status: 0, code: 0, message: `network error: ${message}`, cause }));
    }
  }
}

/** Hears of one HTTP exchange: its outcome, when it started (epoch ms) and how long it took (ms). */
export type ExchangeListener = (outcome: AttemptOutcome, startTime: number, durationMs: number) => void;

/** What `getToken` failed with, as the error the loads reject with: the reason in the message. */
function tokenProviderError(cause: unknown): TokenProviderError {
  if (cause instanceof TokenProviderError) return cause;
  const reason = cause instanceof Error ? cause.message : describeValue(cause);
  return new TokenProviderError(`\`getToken\` failed: ${reason}`, { cause });
}

function readResponse(target: RequestTarget, response: Response, text: string, sentAt: number): AttemptOutcome {
  const { resource, endpoint } = target;
  const status = response.status;
  const requestId = response.headers.get('x-request-id') ?? undefined;
  const json = parseJson(text);
  if (response.ok) {
    const items = (json as { items?: unknown } | undefined)?.items;
    const problem = !isObject(json)
      ? 'the response body is not a JSON object'
      : !Array.isArray(items)
        ? 'the response has no `items` array'
        : describeBadItem(items, target);
    if (problem === undefined) return { ok: true, items: items as unknown[], status, requestId, sentAt };
    return failure(
      'malformed',
      new CdfApiError({ resource, endpoint, status, code: status, message: problem, requestId, body: text.slice(0, MAX_BODY_IN_ERROR) }),
      { status, requestId },
    );
  }

  const cdfError = isObject(json) && isObject(json.error) ? json.error : undefined;
  const error = new CdfApiError({
    resource,
    endpoint,
    status,
    code: typeof cdfError?.code === 'number' ? cdfError.code : status,
    message: typeof cdfError?.message === 'string' ? cdfError.message : response.statusText || 'no error message',
    requestId,
    missing: Array.isArray(cdfError?.missing) ? cdfError.missing : undefined,
    duplicated: Array.isArray(cdfError?.duplicated) ? cdfError.duplicated : undefined,
    body: cdfError === undefined ? text.slice(0, MAX_BODY_IN_ERROR) : undefined,
  });
  const autoRetryable = response.headers.get('cdf-is-auto-retryable');
  return failure('http', error, {
    status,
    requestId,
    retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
    autoRetryable: autoRetryable !== null && autoRetryable.toLowerCase() !== 'false',
  });
}

/** Every item must at least be something the target can match to a key (for byids, an object with a numeric `id`). */
function describeBadItem(items: readonly unknown[], target: RequestTarget): string | undefined {
  for (let index = 0; index < items.length; index++) {
    const problem = target.badItem(items[index]);
    if (problem !== undefined) return `the response's items[${index}] ${problem}`;
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

function failure(
  kind: FailureKind,
  error: CdfApiError | TokenProviderError,
  answer: Partial<Pick<AttemptFailure, 'status' | 'requestId' | 'retryAfterMs' | 'autoRetryable'>> = {},
): AttemptFailure {
  return {
    ok: false,
    kind,
    error,
    status: answer.status ?? 0,
    requestId: answer.requestId,
    retryAfterMs: answer.retryAfterMs,
    autoRetryable: answer.autoRetryable ?? false,
  };
}
