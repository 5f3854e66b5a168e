/** Supplies the bearer token for CDF: an OIDC access token, without the `Bearer ` prefix. */
export type GetToken = () => string | Promise<string>;

/**
 * Holds the current token. `getToken` is called only when no token is held or after the held
 * one was refused (a 401), and concurrent callers share one pending call.
 */
export class TokenSource {
  readonly #getToken: GetToken;
  #token: string | undefined;
  #pending: Promise<string> | undefined;

  constructor(getToken: GetToken) {
    this.#getToken = getToken;
  }

  /** The held token, or the result of one shared `getToken` call. */
  get(): Promise<string> | string {
    if (this.#token !== undefined) return this.#token;
    this.#pending ??= this.#fetch();
    return this.#pending;
  }

  /**
   * Forgets `refused` if it is still the held token. Requests that met a 401 with an older token
   * do not discard a newer one that another request already fetched.
   */
  refuse(refused: string): void {
    if (this.#token === refused) this.#token = undefined;
  }

  async #fetch(): Promise<string> {
    try {
      const token = await this.#getToken();
      if (typeof token !== 'string' || token.length === 0) {
        throw new TypeError(`\`getToken\` must resolve to a non-empty string, got ${typeof token === 'string' ? 'an empty string' : typeof token}.`);
      }
      this.#token = token;
      return token;
    } finally {
      this.#pending = undefined;
    }
  }
}
