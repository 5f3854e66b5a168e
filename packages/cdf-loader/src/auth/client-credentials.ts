import ky, { HTTPError } from 'ky';
import { checkFunction, checkKnownKeys, checkMilliseconds, checkNonEmptyString, httpUrl } from '../options/check.js';
import { describeValue } from '../options/describe-value.js';
import { TokenProviderError } from '../errors/token-provider-error.js';
import type { TokenRequest } from './token-source.js';
import { isObject, parseJson } from '../transport/json.js';

/** OAuth 2.0 client credentials for CDF, from Microsoft Entra ID, Auth0, Keycloak or any other identity provider. */
export interface ClientCredentialsOptions {
  /**
   * The identity provider's token endpoint, an http(s) URL, such as
   * `https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token`. Required.
   */
  tokenUrl: string;
  /** The client (application) id. Required. */
  clientId: string;
  /** The client secret. Sent only to `tokenUrl`, never shown in an error. Required. */
  clientSecret: string;
  /**
   * The scopes to ask for: an array of scopes, or one string of scopes separated by spaces as
   * OAuth writes them. For CDF behind Entra ID: `['https://<cluster>.cognitedata.com/.default']`.
   * Required.
   */
  scopes: readonly string[] | string;
  /** Sent as `audience`, for identity providers that ask for one (Auth0: `https://<cluster>.cognitedata.com`). Default: not sent. */
  audience?: string;
  /**
   * Ask for a new token this long before the held one expires, in milliseconds, but never more
   * than a tenth of the token's lifetime, so a short-lived token is still used for most of it.
   * @default 60_000
   */
  refreshMarginMs?: number;
  /**
   * Time allowed for getting one token, retries included, in milliseconds; at most 2^31−1.
   * @default 10_000
   */
  timeoutMs?: number;
  /** A `fetch` to use instead of the global one (a proxy agent, a test double). */
  fetch?: typeof globalThis.fetch;
}

const OPTION_NAMES = ['tokenUrl', 'clientId', 'clientSecret', 'scopes', 'audience', 'refreshMarginMs', 'timeoutMs', 'fetch'] as const;
/** The lifetime assumed when the answer has no usable `expires_in`, in ms. */
const DEFAULT_LIFETIME_MS = 300_000;
/** Retries after the first attempt: enough to ride out a moment of throttling or a dropped connection. */
const RETRY_LIMIT = 2;
/** Statuses identity providers use for "try again". */
const RETRY_STATUSES = [408, 429, 500, 502, 503, 504];
/** Characters of a non-JSON error body shown in a message. */
const MAX_TEXT_IN_MESSAGE = 300;

interface CheckedOptions {
  tokenUrl: string;
  /** `tokenUrl` without credentials, query or fragment: what messages show. */
  endpoint: string;
  body: string;
  clientSecret: string;
  refreshMarginMs: number;
  timeoutMs: number;
  fetch: typeof globalThis.fetch | undefined;
}

/**
 * A `getToken` for OAuth 2.0 client credentials (RFC 6749 §4.4): it posts
 * `grant_type=client_credentials` with the client id, secret and scopes (and `audience` when
 * given) form-encoded to `tokenUrl`, and keeps the access token until `refreshMarginMs` before
 * it expires (`expires_in`; 5 minutes when the answer has none). Concurrent callers share one
 * request. Called with `{ refused: true }`, as cdf-loader does after CDF answered 401, it asks
 * for a new token at once, sharing a request already under way (which started after the held
 * token was issued, so it brings a newer one).
 *
 * Answers 408, 429, 500, 502, 503 and 504 and network errors are tried twice more with backoff
 * (honouring `Retry-After`), all within `timeoutMs`. Every failure rejects with a `TokenProviderError`
 * saying what the identity provider answered, if anything, and where; the client secret and
 * tokens never appear in it. A failure is not kept: the next call asks again.
 *
 * Options are checked at once. @throws {TypeError} naming the option and the value (never the secret's).
 */
export function clientCredentials(options: ClientCredentialsOptions): (request?: TokenRequest) => Promise<string> {
  const checked = checkOptions(options);
  let held: { token: string; refreshAt: number } | undefined;
  let pending: Promise<string> | undefined;

  async function fetchToken(): Promise<string> {
    const requestedAt = performance.now();
    const { token, lifetimeMs } = await requestToken(checked);
    held = { token, refreshAt: requestedAt + lifetimeMs - Math.min(checked.refreshMarginMs, lifetimeMs / 10) };
    return token;
  }

  return (request) => {
    if (request?.refused === true) held = undefined;
    else if (held !== undefined && performance.now() < held.refreshAt) return Promise.resolve(held.token);
    pending ??= fetchToken().finally(() => {
      pending = undefined;
    });
    return pending;
  };
}

/** One token from the identity provider, retries included, within `timeoutMs`. */
async function requestToken(options: CheckedOptions): Promise<{ token: string; lifetimeMs: number }> {
  const deadline = AbortSignal.timeout(options.timeoutMs);
  const redact = redactor(options.clientSecret);
  let attempts = 1;
  let lastFailure: string | undefined;
  let response: Response;
  let text: string;
  try {
    response = await ky.post(options.tokenUrl, {
      body: options.body,
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      signal: deadline,
      timeout: false,
      retry: { limit: RETRY_LIMIT, methods: ['post'], statusCodes: RETRY_STATUSES, maxRetryAfter: options.timeoutMs },
      hooks: {
        beforeRetry: [
          async ({ error }) => {
            attempts++;
            lastFailure =
              error instanceof HTTPError
                ? `answered ${readOAuthError(error.response.status, await readText(error.response), redact).summary}`
                : `failed: ${redact(describeNetworkError(error))}`;
          },
        ],
      },
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    });
    text = await response.text();
  } catch (error) {
    const after = attempts > 1 ? ` after ${attempts} attempts` : '';
    if (deadline.aborted) {
      const message =
        lastFailure === undefined
          ? `Identity provider did not answer within ${options.timeoutMs} ms`
          : `Identity provider did not issue a token within ${options.timeoutMs} ms; the last attempt ${lastFailure}`;
      throw new TokenProviderError(`${message} (${options.endpoint})`);
    }
    if (error instanceof HTTPError) {
      const { status } = error.response;
      const { code, summary } = readOAuthError(status, await readText(error.response), redact);
      const what = status === 400 || status === 401 ? 'refused the client credentials grant' : `failed to issue a token${after}`;
      throw new TokenProviderError(`Identity provider ${what}: ${summary} (${options.endpoint})`, { status, code });
    }
    // Only what fetch threw is kept: ky's own errors hold the request options, secret included.
    throw new TokenProviderError(`Could not reach the identity provider${after}: ${redact(describeNetworkError(error))} (${options.endpoint})`, { cause: error });
  }
  return readToken(response, text, options.endpoint);
}

/** The token and its lifetime from a 2xx answer. @throws {TokenProviderError} when there is no usable `access_token`. */
function readToken(response: Response, text: string, endpoint: string): { token: string; lifetimeMs: number } {
  const json = parseJson(text);
  const token = isObject(json) ? json.access_token : undefined;
  if (typeof token !== 'string' || token === '') {
    // The answer is described, never shown: it may hold a token under another name.
    const what = !isObject(json)
      ? `a body that is not a JSON object (${response.headers.get('content-type') ?? 'no content-type'}, ${text.length} characters)`
      : token === undefined
        ? `the fields ${Object.keys(json).map((key) => JSON.stringify(key)).join(', ') || 'none'}`
        : `an access_token that is ${token === '' ? 'an empty string' : `of type ${token === null ? 'null' : typeof token}`}`;
    throw new TokenProviderError(`Identity provider answered ${response.status} without an access_token: it sent ${what} (${endpoint})`, {
      status: response.status,
    });
  }
  const expiresInS = Number((json as Record<string, unknown>).expires_in);
  return { token, lifetimeMs: Number.isFinite(expiresInS) && expiresInS > 0 ? expiresInS * 1000 : DEFAULT_LIFETIME_MS };
}

/** The OAuth `error` and `error_description` of an error answer (RFC 6749 §5.2), or the start of its text. */
function readOAuthError(status: number, text: string, redact: (text: string) => string): { code: string | undefined; summary: string } {
  const json = parseJson(text);
  const code = isObject(json) && typeof json.error === 'string' ? redact(json.error) : undefined;
  const description = isObject(json) && typeof json.error_description === 'string' ? redact(json.error_description) : undefined;
  const oneLine = redact(text).replace(/\s+/g, ' ').trim();
  const detail =
    code === undefined
      ? oneLine.length > MAX_TEXT_IN_MESSAGE
        ? `${oneLine.slice(0, MAX_TEXT_IN_MESSAGE)}…`
        : oneLine
      : [code, description].filter((part) => part !== undefined && part !== '').join(': ');
  return { code, summary: detail === '' ? String(status) : `${status} ${detail}` };
}

function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // Node's fetch says only "fetch failed"; its cause says what failed (ECONNREFUSED, a TLS error, …).
  return error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message;
}

/** Removes the secret from text the identity provider wrote, as sent and as form-encoded. */
function redactor(secret: string): (text: string) => string {
  const forms = [...new Set([secret, encodeURIComponent(secret), new URLSearchParams({ s: secret }).toString().slice(2)])];
  return (text) => forms.reduce((redacted, form) => redacted.split(form).join('***'), text);
}

async function readText(response: Response): Promise<string> {
  return response.text().catch(() => '');
}

function checkOptions(options: ClientCredentialsOptions): CheckedOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(
      `\`clientCredentials\` takes an object with \`tokenUrl\`, \`clientId\`, \`clientSecret\` and \`scopes\`, got ${describeValue(options)}.`,
    );
  }
  checkKnownKeys('', options, OPTION_NAMES);
  const url = checkTokenUrl(options.tokenUrl);
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: checkNonEmptyString('clientId', options.clientId),
    client_secret: checkClientSecret(options.clientSecret),
    scope: checkScopes(options.scopes),
  });
  if (options.audience !== undefined) form.set('audience', checkNonEmptyString('audience', options.audience));
  return {
    tokenUrl: options.tokenUrl,
    endpoint: `${url.origin}${url.pathname}`,
    body: form.toString(),
    clientSecret: options.clientSecret,
    refreshMarginMs: checkMilliseconds('refreshMarginMs', options.refreshMarginMs ?? 60_000, 0, false),
    timeoutMs: checkMilliseconds('timeoutMs', options.timeoutMs ?? 10_000, 1, false),
    fetch: checkFunction<typeof globalThis.fetch | undefined>('fetch', options.fetch, false),
  };
}

function checkTokenUrl(value: unknown): URL {
  const url = httpUrl(value);
  if (url === undefined) {
    throw new TypeError(`\`tokenUrl\` must be an http(s) URL such as 'https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token', got ${describeValue(value)}.`);
  }
  if (url.username !== '' || url.password !== '') {
    // Not echoed: it holds a password.
    throw new TypeError('`tokenUrl` must not hold a user name or password (fetch refuses such URLs): give the client\'s as `clientId` and `clientSecret`.');
  }
  return url;
}

/** The secret, checked without ever showing it: a message gives its type or length only. */
function checkClientSecret(value: unknown): string {
  if (typeof value !== 'string' || value === '') {
    const got = value === '' ? 'an empty string' : value === null || value === undefined ? String(value) : `a value of type ${typeof value}`;
    throw new TypeError(`\`clientSecret\` must be a non-empty string, got ${got}.`);
  }
  if (value.trim() !== value) {
    throw new TypeError(
      `\`clientSecret\` starts or ends with whitespace (a line break read from a file?): trim it. It has ${value.length} characters; its value is never shown.`,
    );
  }
  return value;
}

/** The scopes as the `scope` field writes them: separated by spaces. */
function checkScopes(value: unknown): string {
  const scopes = typeof value === 'string' ? value.split(/\s+/).filter((scope) => scope !== '') : value;
  if (!Array.isArray(scopes) || scopes.length === 0) {
    throw new TypeError(
      "`scopes` must be a non-empty array of scopes, or one string of scopes separated by spaces, such as ['https://westeurope-1.cognitedata.com/.default'], " +
        `got ${describeValue(value)}.`,
    );
  }
  scopes.forEach((scope: unknown, index) => {
    if (typeof scope !== 'string' || !/^\S+$/.test(scope)) {
      throw new TypeError(`\`scopes[${index}]\` must be one scope: a non-empty string without spaces, got ${describeValue(scope)}.`);
    }
  });
  return scopes.join(' ');
}
