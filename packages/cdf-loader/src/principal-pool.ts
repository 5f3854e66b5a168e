import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { describeValue } from './describe-value.js';
import type { MissingPolicy } from './batcher.js';
import { type CdfLoaders, createCdfLoaders, type NotFoundValue } from './loader.js';
import { checkBatchingOptions, checkConnectionOptions, type LoaderOptions } from './options.js';
import type { GetToken } from './token-source.js';

/** Options of `createCdfLoaderPool`: those of `createCdfLoaders`, without a single `getToken`. */
export interface CdfLoaderPoolOptions extends Omit<LoaderOptions, 'getToken'> {
  /**
   * Most principals whose loaders (and caches) are kept; the least recently used are dropped.
   * @default 1_000
   */
  maxPrincipals?: number;
}

interface PoolEntry<TNotFound extends null> {
  loaders: CdfLoaders<TNotFound>;
  /** Replaces the principal's token source, for the next token fetch (first use or after a 401). */
  setGetToken(getToken: GetToken): void;
}

// A JWT's header is base64url JSON, so it starts with `eyJ`; three dot-separated parts.
const LOOKS_LIKE_JWT = /^eyJ[\w-]*\.[\w-]+\.[\w-]*$/;

/**
 * Loaders per principal, for a service that acts on behalf of many users: each principal gets
 * its own loaders, token and cache, so a file one user may read is never served to another.
 */
export class CdfLoaderPool<TNotFound extends null = null> {
  readonly #options: CdfLoaderPoolOptions;
  readonly #entries: LRUCache<string, PoolEntry<TNotFound>>;

  /** @internal Use `createCdfLoaderPool`. */
  constructor(options: CdfLoaderPoolOptions, maxPrincipals: number) {
    this.#options = options;
    this.#entries = new LRUCache<string, PoolEntry<TNotFound>>({ max: maxPrincipals });
  }

  /**
   * The loaders of one principal, created on first use.
   * @param principal A stable id of the user or identity that your service has verified (a user
   *   id from your session, the `sub` of a JWT whose signature you checked), never the token
   *   itself: it stays in memory as a key. An unverified claim would let a forged token reach
   *   another user's cache; when you only pass tokens through to CDF, use `forToken`.
   * @param getToken Supplies this principal's token. The latest one passed is used, so each
   *   request can pass the token it came with.
   */
  forPrincipal(principal: string, getToken: GetToken): CdfLoaders<TNotFound> {
    checkPrincipal(principal);
    if (typeof getToken !== 'function') throw new TypeError(`\`getToken\` must be a function, got ${describeValue(getToken)}.`);
    const existing = this.#entries.get(principal);
    if (existing !== undefined) {
      existing.setGetToken(getToken);
      return existing.loaders;
    }
    let current = getToken;
    // The pool's `missing` option is what `TNotFound` was made from.
    const loaders = createCdfLoaders({ ...this.#options, getToken: (request) => current(request) }) as CdfLoaders<TNotFound>;
    this.#entries.set(principal, { loaders, setGetToken: (next) => (current = next) });
    return loaders;
  }

  /**
   * The loaders of whoever holds this bearer token, for services that pass callers' tokens
   * through to CDF without verifying them: keyed by the token's SHA-256, so only the same token
   * reaches the same cache, and CDF checks every token before its first answer is cached. A
   * refreshed token starts with an empty cache.
   */
  forToken(token: string): CdfLoaders<TNotFound> {
    if (typeof token !== 'string' || token.length === 0) {
      throw new TypeError(`\`token\` must be a non-empty string, got ${typeof token === 'string' ? 'an empty string' : typeof token}.`);
    }
    return this.forPrincipal(`sha256:${createHash('sha256').update(token).digest('base64url')}`, () => token);
  }

  /** Drops a principal's loaders and cache (say, when the user signs out). */
  delete(principal: string): boolean {
    return this.#entries.delete(principal);
  }

  /** Principals held now. */
  get size(): number {
    return this.#entries.size;
  }
}

/** A bounded pool of `createCdfLoaders` sets, one per principal. Options are checked now. */
export function createCdfLoaderPool<TMissing extends MissingPolicy = 'null'>(
  options: CdfLoaderPoolOptions & { missing?: TMissing },
): CdfLoaderPool<NotFoundValue<TMissing>> {
  const { maxPrincipals = 1_000, ...loaderOptions } = options ?? {};
  checkConnectionOptions({ ...loaderOptions, getToken: () => '' } as LoaderOptions);
  checkBatchingOptions(loaderOptions);
  if (!Number.isSafeInteger(maxPrincipals) || maxPrincipals < 1) {
    throw new TypeError(`\`maxPrincipals\` must be a positive integer, got ${describeValue(maxPrincipals)}.`);
  }
  return new CdfLoaderPool<NotFoundValue<TMissing>>(loaderOptions, maxPrincipals);
}

function checkPrincipal(principal: unknown): void {
  if (typeof principal !== 'string' || principal.length === 0) {
    throw new TypeError(`\`principal\` must be a non-empty string, got ${describeValue(principal)}.`);
  }
  if (LOOKS_LIKE_JWT.test(principal)) {
    // Not echoed: it is probably a credential.
    throw new TypeError(
      "`principal` looks like a token (a JWT); key the pool by a stable id of the principal, such as the token's `sub` claim, never by the token itself.",
    );
  }
}
