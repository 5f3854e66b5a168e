import { CdfLoaderError } from './cdf-loader-error.js';

/** What CDF (or the network between) answered when a request failed. */
export interface CdfApiErrorDetails {
  /** HTTP status, or 0 when no response arrived (network error, timeout). */
  status: number;
  /** `error.code` from CDF's body, else the status. */
  code: number;
  /** CDF's `error.message`, or a description of what went wrong. */
  message: string;
  /** The `x-request-id` response header, for Cognite support. */
  requestId?: string | undefined;
  /** CDF's `error.missing`: identifiers it did not find. */
  missing?: unknown[] | undefined;
  /** CDF's `error.duplicated`: identifiers sent twice. */
  duplicated?: unknown[] | undefined;
  /** The response body when it was not CDF's JSON error shape (a gateway's HTML page, say). */
  body?: string | undefined;
  /** The resource path of the failed request (`files`, `assets`, …). */
  resource: string;
  /** The endpoint after `…/projects/{project}/` (`files/downloadlink`). @default `{resource}/byids` */
  endpoint?: string | undefined;
  /** The underlying error (network failure, `getToken` failure), never carrying the token. */
  cause?: unknown;
}

/**
 * A request to CDF failed. Every key of that request rejects with the same instance; keys of
 * other requests are unaffected, and failures are never cached.
 */
export class CdfApiError extends CdfLoaderError {
  override name = 'CdfApiError';
  readonly status: number;
  readonly code: number;
  /** What went wrong, as CDF (or the loader, when no answer came) put it, without the prefix and request id of `message`. */
  readonly cdfMessage: string;
  readonly requestId: string | undefined;
  readonly missing: unknown[] | undefined;
  readonly duplicated: unknown[] | undefined;
  readonly body: string | undefined;
  readonly resource: string;

  constructor(details: CdfApiErrorDetails) {
    const where = details.requestId === undefined ? '' : ` (request id ${details.requestId})`;
    const status = details.status === 0 ? 'no response' : `${details.status}`;
    super(`CDF ${details.endpoint ?? `${details.resource}/byids`} failed with ${status}: ${details.message}${where}`, {
      cause: details.cause,
    });
    this.status = details.status;
    this.code = details.code;
    this.cdfMessage = details.message;
    this.requestId = details.requestId;
    this.missing = details.missing;
    this.duplicated = details.duplicated;
    this.body = details.body;
    this.resource = details.resource;
  }

  /**
   * Whether this is an outage rather than an answer about the request: a 5xx, a 429 that
   * outlasted the retries, or no answer at all (network error, timeout). RFC 5861's rule: such a
   * failure may be served stale (`cache.staleIfErrorMs`); a 4xx (401 and 403 above all) never.
   */
  get isOutage(): boolean {
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }
}
