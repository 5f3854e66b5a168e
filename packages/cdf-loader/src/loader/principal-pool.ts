import { createHash } from 'node:crypto';
import { checkCount, checkMilliseconds } from '../options/check.js';
import { describeValue } from '../options/describe-value.js';
import { Lru } from '../cache/lru.js';
import { type CdfLoaders, createLoaderSet, type NotFoundValue } from './loader.js';
import { type CheckedOptions, checkOptions, LOADER_SET_KEYS, type LoaderOptions, type LoaderSetOptions, type MissingPolicy } from '../options/options.js';
import type { GetToken } from '../auth/token-source.js';

/** Options of `createCdfLoaderPool`: those of `createCdfLoaders`, without a single `getToken`. */
export interface CdfLoaderPoolOptions extends Omit<LoaderOptions, 'getToken'>, LoaderSetOptions {
  /**
   * Most principals whose loaders (and caches) are kept; the least recently used are dropped.
   * @default 1_000
   */
  maxPrincipals?: number;
  /**
   * A principal not used for this long is dropped with its cache, in milliseconds (at most
   * 2^31−1, or `Infinity` to keep principals until `maxPrincipals` pushes them out). Its loads
   * in flight still finish.
   * @default 900_000 (15 minutes)
   */
  principalIdleMs?: number;
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
  readonly #options: CheckedOptions;
  readonly #entries: Lru<string, PoolEntry<TNotFound>>;
  readonly #idleMs: number;
  /** Sweeps idle principals out; unref'd, so it never keeps the process alive. */
  readonly #sweep: NodeJS.Timeout | undefined;
  #closed: Promise<void> | undefined;

  /** @internal Use `createCdfLoaderPool`. */
  constructor(options: CheckedOptions, maxPrincipals: number, principalIdleMs: number) {
    this.#options = options;
    const idle = principalIdleMs !== Number.POSITIVE_INFINITY;
    this.#entries = new Lru<string, PoolEntry<TNotFound>>(maxPrincipals);
    this.#idleMs = principalIdleMs;
    if (idle) this.#sweep = setInterval(() => this.#entries.purgeStale(), Math.max(1_000, principalIdleMs / 2)).unref();
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
    if (this.#closed !== undefined) throw new TypeError('The pool is closed: `close()` was called.');
    const existing = this.#entries.get(principal);
    if (existing !== undefined) {
      existing.setGetToken(getToken);
      // Used again: idle from now on.
      this.#entries.set(principal, existing, this.#idleMs);
      return existing.loaders;
    }
    let current = getToken;
    const loaders = createLoaderSet<TNotFound>({ ...this.#options, principal, getToken: (request) => current(request) });
    this.#entries.set(principal, { loaders, setGetToken: (next) => (current = next) }, this.#idleMs);
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

  /**
   * Closes every principal's loaders (see `ByIdsLoader.close`) and stops the idle sweep.
   * Idempotent; `forPrincipal` and `forToken` throw after it.
   */
  close(): Promise<void> {
    if (this.#closed !== undefined) return this.#closed;
    clearInterval(this.#sweep);
    const closing = [...this.#entries.values()].map((entry) => entry.loaders.close());
    this.#entries.clear();
    this.#closed = Promise.all(closing).then(() => undefined);
    return this.#closed;
  }
}

/** A bounded pool of `createCdfLoaders` sets, one per principal. Options are checked now. */
export function createCdfLoaderPool<TMissing extends MissingPolicy = 'null'>(
  options: CdfLoaderPoolOptions & { missing?: TMissing },
): CdfLoaderPool<NotFoundValue<TMissing>> {
  if (typeof options === 'object' && options !== null && 'getToken' in options) {
    throw new TypeError('A pool takes no `getToken`: pass each principal\'s to `forPrincipal(principal, getToken)`, or use `forToken(token)`.');
  }
  if (typeof options === 'object' && options !== null && 'principal' in options) {
    throw new TypeError('A pool takes no `principal`: each `forPrincipal(principal, …)` names its own.');
  }
  const { maxPrincipals = 1_000, principalIdleMs = 900_000, ...loaderOptions } = options ?? {};
  // Checked once here; each principal's set is made from the checked options with its own token.
  const checked = checkOptions({ ...loaderOptions, getToken: unusedGetToken } as LoaderOptions, [...LOADER_SET_KEYS, 'maxPrincipals', 'principalIdleMs']);
  return new CdfLoaderPool<NotFoundValue<TMissing>>(
    checked,
    checkCount('maxPrincipals', maxPrincipals, 1),
    checkMilliseconds('principalIdleMs', principalIdleMs, 1, true),
  );
}

/** Stands in for `getToken` while the pool's options are checked; every principal brings its own. */
function unusedGetToken(): never {
  throw new Error('unreachable: every principal of a pool has its own `getToken`');
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
