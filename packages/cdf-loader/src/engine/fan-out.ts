/**
 * Fan-out: an answer (CDF's items, or what the shared tier holds) to every pending key it names,
 * by id, externalId and instanceId, never by position, and into the caches. It owns no state of
 * its own: keys settle through the key table, invalidation stamps decide what may be cached.
 * It never sends a request and never decides what goes in a chunk.
 */
import type { ResultCache } from '../cache/result-cache.js';
import { type CanonicalKey, itemKeys } from '../identifiers/identifiers.js';
import type { SharedTier } from '../shared/shared-tier.js';
import type { Telemetry } from '../telemetry/telemetry.js';
import type { Chunk, Pending } from './chunk.js';
import type { Invalidations } from './invalidations.js';
import type { Settlement } from './pending-load.js';
import type { PendingKeys } from './pending-keys.js';

export class FanOut<TItem extends object> {
  readonly #keys: PendingKeys<TItem>;
  readonly #invalidations: Invalidations;
  readonly #cache: ResultCache<TItem> | undefined;
  readonly #shared: SharedTier<TItem> | undefined;
  readonly #telemetry: Telemetry;

  constructor(
    keys: PendingKeys<TItem>,
    invalidations: Invalidations,
    cache: ResultCache<TItem> | undefined,
    shared: SharedTier<TItem> | undefined,
    telemetry: Telemetry,
  ) {
    this.#keys = keys;
    this.#invalidations = invalidations;
    this.#cache = cache;
    this.#shared = shared;
    this.#telemetry = telemetry;
  }

  /**
   * Answers every pending key an item names, in this chunk or any other. Keys of this chunk that
   * no item named are not found. An item that breaks the identifier rules answers nothing. A key
   * invalidated after the request was sent is answered for this chunk's callers only, and not cached.
   */
  answerChunk(chunk: Chunk<TItem>, items: readonly unknown[]): void {
    const cache = this.#cache;
    const shared = this.#shared;
    const toShare: { item: object; keys: readonly CanonicalKey[] }[] | undefined = shared === undefined ? undefined : [];
    for (const item of items as TItem[]) {
      const keys = itemKeys(item);
      if (typeof keys === 'string') continue;
      const freshKeys = this.answerItem(chunk, chunk.sentAt, item, keys);
      if (freshKeys === undefined) continue;
      cache?.setItem(item, freshKeys);
      toShare?.push({ item, keys: freshKeys });
    }
    let notFound = 0;
    const notFoundKeys: CanonicalKey[] | undefined = shared === undefined ? undefined : [];
    for (const pending of chunk.loads.values()) {
      if (pending.settled) continue;
      notFound++;
      if (this.#invalidations.isFresh(pending.key, chunk.sentAt)) {
        cache?.setNotFound(pending.key);
        notFoundKeys?.push(pending.key);
      }
      this.#keys.settleNotFound(pending);
    }
    this.#telemetry.answered(items.length, notFound);
    if (shared !== undefined && (toShare!.length > 0 || notFoundKeys!.length > 0)) shared.store(toShare!, notFoundKeys!);
  }

  /**
   * Settles the keys an item answers. Returns the keys it may be cached under (its id first),
   * or `undefined` when nobody asked for it or its id was invalidated since the request went out.
   */
  answerItem(chunk: Chunk<TItem> | undefined, startedAt: number, item: TItem, keys: readonly CanonicalKey[]): readonly CanonicalKey[] | undefined {
    // The common case, nothing invalidated since the request went out: every key is fresh.
    const allFresh = this.#invalidations.noneSince(startedAt);
    let wanted = false;
    let settlement: Settlement<TItem> | undefined;
    let fresh: CanonicalKey[] | undefined;
    for (const key of keys) {
      const isFresh = allFresh || this.#invalidations.isFresh(key, startedAt);
      if (!allFresh && isFresh) (fresh ??= []).push(key);
      const pending = chunk?.loads.get(key) ?? (isFresh ? this.#keys.byKey.get(key) : undefined);
      if (pending === undefined || pending.settled) continue;
      wanted = true;
      this.#keys.settle(pending, (settlement ??= { ok: true, value: item }));
    }
    if (!wanted) return undefined;
    if (allFresh) return keys;
    return fresh?.[0] === keys[0] ? fresh : undefined;
  }

  /**
   * Answers what the shared tier holds of these keys. Returns whether the tier answered at all
   * (`false` when it is down or has no say).
   * @param chunk The keys' chunk, whose attempt stamp the lookup takes; none for keys waiting on
   *   another replica's claim.
   */
  async answerFromShared(loads: readonly Pending<TItem>[], shared: SharedTier<TItem>, chunk?: Chunk<TItem>): Promise<boolean> {
    if (loads.length === 0) return true;
    const startedAt = this.#invalidations.start();
    if (chunk !== undefined) chunk.sentAt = startedAt;
    const found = await shared.lookUp(loads.map((load) => load.key));
    if (found === undefined) return false;
    this.#answerFound(loads, found, startedAt, chunk);
    return true;
  }

  /**
   * The chunk's last look in the shared tier and its claims, in one round trip where the tier can
   * (see `SharedTier.lookUpAndClaim`), or the look of keys waiting on another replica (no
   * `chunk`): answers what the tier holds, and returns for each load
   * whether it is to be fetched here (`false`: another replica is fetching it), or `undefined`
   * when the tier cannot answer.
   */
  async answerFromSharedAndClaim(loads: readonly Pending<TItem>[], shared: SharedTier<TItem>, chunk?: Chunk<TItem>): Promise<boolean[] | undefined> {
    if (loads.length === 0) return [];
    const startedAt = this.#invalidations.start();
    if (chunk !== undefined) chunk.sentAt = startedAt;
    const found = await shared.lookUpAndClaim(loads.map((load) => load.key));
    if (found === undefined) return undefined;
    this.#answerFound(loads, found.map((entry) => (typeof entry === 'boolean' ? undefined : entry)), startedAt, chunk);
    return found.map((entry) => entry !== false);
  }

  /** Answers the loads from what the shared tier holds for each (`undefined`: nothing). */
  #answerFound(loads: readonly Pending<TItem>[], found: readonly (TItem | null | undefined)[], startedAt: number, chunk: Chunk<TItem> | undefined): void {
    let hits = 0;
    for (let index = 0; index < loads.length; index++) {
      const entry = found[index];
      const pending = loads[index]!;
      if (entry === undefined || pending.settled || !this.#invalidations.isFresh(pending.key, startedAt)) continue;
      if (entry === null) {
        this.#cache?.setNotFound(pending.key);
        this.#keys.settleNotFound(pending);
        hits++;
        continue;
      }
      const keys = itemKeys(entry);
      if (typeof keys === 'string' || !keys.includes(pending.key)) continue;
      const freshKeys = this.answerItem(chunk, startedAt, entry, keys);
      if (freshKeys !== undefined) this.#cache?.setItem(entry, freshKeys);
      if (pending.settled) hits++;
    }
    this.#telemetry.sharedHits(hits);
  }
}
