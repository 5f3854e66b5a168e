import ky, { HTTPError } from 'ky';
import type { TokenRequest } from 'cdf-loader';

/** OAuth 2.0 client credentials for CDF (Microsoft Entra ID, Auth0, Keycloak, …). */
export interface ClientCredentialsOptions {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /** Space-separated scopes, such as `https://westeurope-1.cognitedata.com/.default`. */
  scopes: string;
  /** A `fetch` to use instead of the global one. */
  fetch?: typeof globalThis.fetch;
  /** The clock, in ms; tests move it to cross the refresh point. @default Date.now */
  now?: () => number;
}

/** The lifetime assumed when the token endpoint sends no `expires_in`. */
const DEFAULT_LIFETIME_S = 300;
/** Refresh this long before expiry, or half the lifetime if that is shorter. */
const REFRESH_MARGIN_MS = 60_000;

/**
 * Returns a `getToken` for cdf-loader (and the demo's other strategies) that fetches an access
 * token with the client_credentials grant (a form-encoded POST), keeps it, and fetches a new
 * one once the token is within a minute (or half its lifetime) of expiring, or at once when
 * cdf-loader says CDF refused it. Concurrent callers share one request. Errors name the endpoint
 * and what it answered, never the secret.
 */
export function createClientCredentialsTokenProvider(options: ClientCredentialsOptions): (request?: TokenRequest) => Promise<string> {
  const now = options.now ?? Date.now;
  const client = ky.create({
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    retry: { limit: 2, methods: ['post'] },
  });
  let held: { token: string; refreshAt: number } | undefined;
  let pending: Promise<string> | undefined;

  async function fetchToken(): Promise<string> {
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: options.clientId,
      client_secret: options.clientSecret,
      scope: options.scopes,
    });
    const requestedAt = now();
    let answer: unknown;
    try {
      answer = await client.post(options.tokenUrl, { body }).json();
    } catch (error) {
      throw new Error(redact(await describeFailure(options.tokenUrl, error), options.clientSecret), { cause: error });
    }
    const { access_token: token, expires_in: expiresIn } = (answer ?? {}) as Record<string, unknown>;
    if (typeof token !== 'string' || token === '') {
      throw new Error(`The token endpoint ${options.tokenUrl} answered without an access_token. Check CDF_TOKEN_URL.`);
    }
    const lifetimeMs = 1000 * (Number(expiresIn) > 0 ? Number(expiresIn) : DEFAULT_LIFETIME_S);
    held = { token, refreshAt: requestedAt + lifetimeMs - Math.min(REFRESH_MARGIN_MS, lifetimeMs / 2) };
    return token;
  }

  return async (request) => {
    if (held !== undefined && request?.refused !== true && now() < held.refreshAt) return held.token;
    pending ??= fetchToken().finally(() => {
      pending = undefined;
    });
    return pending;
  };
}

async function describeFailure(tokenUrl: string, error: unknown): Promise<string> {
  const check = 'Check CDF_TOKEN_URL, CDF_CLIENT_ID, CDF_CLIENT_SECRET and CDF_SCOPES.';
  if (!(error instanceof HTTPError)) {
    return `Could not reach the token endpoint ${tokenUrl}: ${error instanceof Error ? error.message : String(error)}. ${check}`;
  }
  const text = await error.response.text().catch(() => '');
  let detail = text.slice(0, 300);
  try {
    const body = JSON.parse(text) as { error?: unknown; error_description?: unknown };
    detail = [body.error, body.error_description].filter((part) => typeof part === 'string').join(': ');
  } catch {
    // not JSON: keep the start of the text
  }
  return `The token endpoint ${tokenUrl} answered ${error.response.status}${detail === '' ? '' : ` (${detail})`}. ${check}`;
}

/** `text` with every occurrence of `secret` replaced by `***`. */
export function redact(text: string, secret: string): string {
  return secret === '' ? text : text.split(secret).join('***');
}
