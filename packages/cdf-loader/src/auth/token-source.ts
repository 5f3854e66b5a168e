import { TokenProviderError } from '../errors/token-provider-error.js';

/** What the loader tells `getToken` when it asks. */
export interface TokenRequest {
  /**
   * True when CDF refused the token the loader held (a 401): a provider that caches tokens
   * should fetch a new one rather than hand back the same.
   */
  refused: boolean;
}

/** Supplies the bearer token for CDF: an OIDC access token, without the `Bearer ` prefix. */
export type GetToken = (request: TokenRequest) => string | Promise<string>;

/**
 * Holds the current token. `getToken` is called only when no token is held or after the held
 * one was refused (a 401), and concurrent callers share one pending call.
 */
export class TokenSource {
  readonly #getToken: GetToken;
  #token: string | undefined;
  #pending: Promise<string> | undefined;
  #refused = false;

  constructor(getToken: GetToken) {
    this.#getToken = getToken;
  }

  /** The held token, or the result of the one shared `getToken` call. */
  get(): Promise<string> {
    if (this.#token !== undefined) return Promise.resolve(this.#token);
    if (this.#pending === undefined) {
      const pending = this.#fetch();
      this.#pending = pending;
      // Cleared once settled, however `getToken` failed (even by throwing synchronously), so the
      // next request asks again instead of reusing a failure.
      const clear = (): void => this.forget(pending);
      pending.then(clear, clear);
    }
    return this.#pending;
  }

  /**
   * Stops sharing a call that took too long: the next request calls `getToken` again instead
   * of waiting on one that may never settle (a hung identity provider).
   */
  forget(pending: Promise<string>): void {
    if (this.#pending === pending) this.#pending = undefined;
  }

  /**
   * Forgets `refused` if it is still the held token. Requests that met a 401 with an older token
   * do not discard a newer one that another request already fetched.
   */
  refuse(refused: string): void {
    if (this.#token !== refused) return;
    this.#token = undefined;
    this.#refused = true;
  }

  async #fetch(): Promise<string> {
    const token: unknown = await this.#getToken({ refused: this.#refused });
    checkToken(token);
    this.#token = token;
    this.#refused = false;
    return token;
  }
}

// Anything but visible ASCII and Latin-1 (control characters, line breaks, wider Unicode):
// what an HTTP header value cannot carry.
const NOT_HEADER_SAFE = /[^\x20-\x7e\x80-\xff]/;

/** @throws {TokenProviderError} saying what is wrong with the token, without ever echoing it. */
function checkToken(token: unknown): asserts token is string {
  if (typeof token !== 'string' || token.length === 0) {
    throw new TokenProviderError(`\`getToken\` must resolve to a non-empty string, got ${typeof token === 'string' ? 'an empty string' : typeof token}.`);
  }
  const position = token.search(NOT_HEADER_SAFE);
  if (position !== -1) {
    throw new TokenProviderError(
      `\`getToken\` resolved to a token an HTTP header cannot carry: the character at position ${position} of ${token.length} is a control or non-Latin-1 character (a pasted line break?).`,
    );
  }
}
