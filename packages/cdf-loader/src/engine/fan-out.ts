/**
 * Fan-out: an answer (CDF's items, or what the shared tier holds) to every pending key it names,
 * by id, externalId and instanceId, never by position, and into the caches. It owns no state of
 * its own: keys settle through the key table, invalidation stamps decide what may be cached.
 * It never sends a request and never decides what goes in a chunk.
 */
import type { ResultCache } from '../cache/result-cache.js';
import { type CanonicalKey, itemIdKey, itemKeys } from '../identifiers/identifiers.js';
import type { Endpoint } from '../resources/endpoint.js';
import type { SharedTier } from '../shared/shared-tier.js';
import type { Telemetry } from '../telemetry/telemetry.js';
import { type Chunk, type Pending, unsettledNamed } from './chunk.js';
import type { Invalidations } from './invalidations.js';
import type { Settlement } from './pending-load.js';
import type { PendingKeys } from './pending-keys.js';

export class FanOut<TItem extends object> {
  readonly #keys: PendingKeys<TItem>;
  readonly #invalidations: Invalidations;
  readonly #cache: ResultCache<TItem> | undefined;
  readonly #shared: SharedTier<TItem> | undefined;
  readonly #telemetry: Telemetry;
  /** The keys an answer item names: `itemKeys` for byids, the endpoint's own otherwise. */
  readonly #itemKeys: (item: unknown) => CanonicalKey[] | string;
  readonly #toItem: ((item: object, sentAt: number) => TItem) | undefined;
  readonly #freshFor: ((item: TItem, now: number) => number) | undefined;
  /** A byids answer with nothing to cache it in: an item can be wanted by name only by a load waiting by name. */
  readonly #matchesByIdAlone: boolean;

  constructor(
    keys: PendingKeys<TItem>,
    invalidations: Invalidations,
    cache: ResultCache<TItem> | undefined,
    shared: SharedTier<TItem> | undefined,
    telemetry: Telemetry,
    endpoint: Endpoint<TItem> | undefined,
  ) {
    this.#keys = keys;
    this.#invalidations = invalidations;
    this.#cache = cache;
    this.#shared = shared;
    this.#telemetry = telemetry;
    this.#itemKeys = endpoint?.itemKeys ?? itemKeys;
    this.#toItem = endpoint?.toItem;
    this.#freshFor = endpoint?.freshFor;
    this.#matchesByIdAlone = endpoint === undefined && cache === undefined && shared === undefined;
  }

  /**
   * Answers every pending key an item names, in this chunk or any other. Keys of this chunk that
   * no item named are not found. An item that breaks the identifier rules answers nothing. A key
   * invalidated after the request was sent is answered for this chunk's callers only, and not cached.
   */
  answerChunk(chunk: Chunk<TItem>, items: readonly unknown[], sentAt: number): void {
    const cache = this.#cache;
    const shared = this.#shared;
    const toItem = this.#toItem;
    const toShare: { item: object; keys: readonly CanonicalKey[] }[] | undefined = shared === undefined ? undefined : [];
    // No string key built per item when no load waits by name and nothing caches the item.
    const keysOf = this.#matchesByIdAlone && this.#keys.namedWaiting === 0 ? itemIdKey : this.#itemKeys;
    // Every entry of the answer stored at one clock read (see `Lru`).
    const now = cache === undefined ? undefined : performance.now();
    for (const answered of items) {
      const keys = keysOf(answered);
      if (typeof keys === 'string') continue;
      const item = toItem === undefined ? (answered as TItem) : toItem(answered as object, sentAt);
      const freshKeys = this.answerItem(chunk, chunk.sentAt, item, keys);
      if (freshKeys === undefined) continue;
      cache?.setItem(item, freshKeys, now);
      toShare?.push({ item, keys: freshKeys });
    }
    this.#settleNotFound(chunk, chunk.loads.values(), items.length, toShare, now);
  }

  /**
   * CDF refused the request for these unknown identifiers (`missing` of a 400): the chunk's keys
   * they name are not found. Returns whether any was still waiting.
   */
  answerMissing(chunk: Chunk<TItem>, missing: readonly unknown[], keyOf: (identifier: unknown) => CanonicalKey): boolean {
    const named = unsettledNamed(chunk, missing, keyOf);
    if (named.length > 0) this.#settleNotFound(chunk, named, 0, undefined);
    return named.length > 0;
  }

  /**
   * Settles the keys an item answers. Returns the keys it may be cached under (its id first),
   * or `undefined` when nobody asked for it or its id was invalidated since the request went out.
   */
  answerItem(chunk: Chunk<TItem> | undefined, startedAt: number, item: TItem, keys: readonly CanonicalKey[]): readonly CanonicalKey[] | undefined {
    // The common case, nothing invalidated since the request went out: every key is fresh.
    const allFresh = this.#invalidations.noneSince(startedAt);
    // With no load waiting by name, a string key (externalId, instanceId) names no pending load.
    const byIdAlone = this.#keys.namedWaiting === 0;
    let wanted = false;
    let settlement: Settlement<TItem> | undefined;
    let fresh: CanonicalKey[] | undefined;
    for (const key of keys) {
      const isFresh = allFresh || this.#invalidations.isFresh(key, startedAt);
      if (!allFresh && isFresh) (fresh ??= []).push(key);
      if (byIdAlone && typeof key === 'string') continue;
      const pending = chunk?.loads.get(key) ?? (isFresh ? this.#keys.byKey.get(key) : undefined);
      if (pending === undefined || pending.settled) continue;
      wanted = true;
      this.#keys.settle(pending, (settlement ??= { ok: true, value: item }));
    }
    if (!wanted) return undefined;
    if (allFresh) return keys;
    return fresh?.[0] === keys[0] ? fresh : undefined;
  }

  /** The chunk's first look in the shared tier: answers what it holds of these keys, under the chunk's attempt stamp. */
  async answerFromShared(loads: readonly Pending<TItem>[], shared: SharedTier<TItem>, chunk: Chunk<TItem>): Promise<void> {
    if (loads.length === 0) return;
    const startedAt = this.#invalidations.start();
    chunk.sentAt = startedAt;
    const found = await shared.lookUp(loads.map((load) => load.key));
    if (found !== undefined) this.#answerFound(loads, found, startedAt, chunk);
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

  /** The invalidation stamp of a shared-tier wait starting now (see `answerFromStored`). */
  stamp(): number {
    return this.#invalidations.start();
  }

  /**
   * Answers keys waiting on another replica from the answers its message carried (see
   * `SharedTier.nextStored`), with a read's checks, for the keys not invalidated since `since`
   * (a stamp taken before the wait): a key invalidated meanwhile is left unanswered, to be read.
   */
  answerFromStored(loads: readonly Pending<TItem>[], found: readonly (TItem | null | undefined)[], since: number): void {
    if (loads.length > 0) this.#answerFound(loads, found, since, undefined);
  }

  /**
   * The keys of an item read from the shared tier by `key`, or `undefined` when it may not answer
   * it: a value in the tier is untrusted (it must be an item of this resource that holds the key),
   * and a download link the tier kept past its expiry (its TTL is the tier's own) is a miss.
   */
  sharedEntryKeys(entry: object, key: CanonicalKey): CanonicalKey[] | undefined {
    const keys = this.#itemKeys(entry);
    if (typeof keys === 'string' || !keys.includes(key)) return undefined;
    if (this.#freshFor !== undefined && !(this.#freshFor(entry as TItem, Date.now()) > 0)) return undefined;
    return keys;
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
      const keys = this.sharedEntryKeys(entry, pending.key);
      if (keys === undefined) continue;
      const freshKeys = this.answerItem(chunk, startedAt, entry as TItem, keys);
      if (freshKeys !== undefined) this.#cache?.setItem(entry as TItem, freshKeys);
      if (pending.settled) hits++;
    }
    this.#telemetry.sharedHits(hits);
  }

  /** Settles the loads no item answered as not found, caches that, and hands the answer to the shared tier. */
  #settleNotFound(
    chunk: Chunk<TItem>,
    loads: Iterable<Pending<TItem>>,
    itemsReturned: number,
    toShare: { item: object; keys: readonly CanonicalKey[] }[] | undefined,
    now?: number,
  ): void {
    const cache = this.#cache;
    const shared = this.#shared;
    let notFound = 0;
    const notFoundKeys: CanonicalKey[] | undefined = shared === undefined ? undefined : [];
    const { withdrawn } = chunk;
    for (const pending of loads) {
      if (pending.settled) continue;
      // CDF called it a duplicate of another key, yet no item named it: its answer is that failure.
      if (withdrawn?.keys.has(pending.key) === true) {
        this.#keys.settle(pending, { ok: false, error: withdrawn.error });
        continue;
      }
      notFound++;
      if (this.#invalidations.isFresh(pending.key, chunk.sentAt)) {
        cache?.setNotFound(pending.key, now);
        notFoundKeys?.push(pending.key);
      }
      this.#keys.settleNotFound(pending);
    }
    this.#telemetry.answered(itemsReturned, notFound);
    if (shared !== undefined && ((toShare?.length ?? 0) > 0 || notFoundKeys!.length > 0)) shared.store(toShare ?? [], notFoundKeys!);
  }
}
