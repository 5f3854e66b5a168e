/**
 * The invalidation stamps that decide whether an answer may stand for a key. It owns the stamps;
 * it never touches a cache or a pending key.
 */
import type { CanonicalKey } from '../identifiers/identifiers.js';

/**
 * Invalidation is per key. Every `clear`, `prime` and request attempt takes the next stamp; an
 * answer may be cached for a key, or answer that key's loads in other chunks, only if the key was
 * not invalidated after the attempt started. One counter for the whole loader would instead turn
 * caching off for everything in flight whenever anything is primed (as steady priming from list
 * calls does). Stamps older than every attempt in flight are dropped, so the map holds only the
 * invalidations of the last few requests.
 */
export class Invalidations {
  #stamp = 0;
  readonly #at = new Map<CanonicalKey, number>();
  #allAt = 0;

  /** The stamp of an attempt (or shared-tier lookup) starting now. */
  start(): number {
    return ++this.#stamp;
  }

  /** These keys change now. */
  keys(keys: readonly CanonicalKey[]): void {
    const stamp = ++this.#stamp;
    for (const key of keys) this.#at.set(key, stamp);
  }

  /** Every key changes now (`clearAll`). */
  all(): void {
    this.#allAt = ++this.#stamp;
  }

  /** Whether an answer to what started at `startedAt` may stand for `key`. */
  isFresh(key: CanonicalKey, startedAt: number): boolean {
    return startedAt > this.#allAt && startedAt > (this.#at.get(key) ?? 0);
  }

  /** Nothing was invalidated since `startedAt`: every key of its answer is fresh (the common case, one check). */
  noneSince(startedAt: number): boolean {
    return this.#at.size === 0 && startedAt > this.#allAt;
  }

  /** Drops stamps older than `oldestInFlight` (the earliest start still in flight; `Infinity` for none). */
  prune(oldestInFlight: number): void {
    if (this.#at.size === 0) return;
    if (oldestInFlight === Number.POSITIVE_INFINITY) this.#at.clear();
    else for (const [key, stamp] of this.#at) if (stamp < oldestInFlight) this.#at.delete(key);
  }
}
