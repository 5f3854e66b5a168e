import { CdfLoaderError } from './cdf-loader-error.js';

/** Details of a `TokenProviderError`. */
export interface TokenProviderErrorDetails {
  /** The identity provider's HTTP status, when one answered. */
  status?: number | undefined;
  /** The identity provider's `error` code (`invalid_client`, `invalid_scope`, …), when it sent one. */
  code?: string | undefined;
  /** What `getToken` threw, or the underlying network error. */
  cause?: unknown;
}

/**
 * No token could be had: `getToken` threw, timed out or gave something that is not a token,
 * or the identity provider behind `clientCredentials` refused. Not CDF's failure: a service
 * should report it as its own configuration or dependency problem, not as "CDF is down". The
 * message says why, and never holds a token or a secret.
 */
export class TokenProviderError extends CdfLoaderError {
  override name = 'TokenProviderError';
  readonly status: number | undefined;
  readonly code: string | undefined;

  constructor(message: string, details: TokenProviderErrorDetails = {}) {
    super(message, { cause: details.cause });
    this.status = details.status;
    this.code = details.code;
  }
}
