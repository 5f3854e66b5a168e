/** No slot: the end of the recency list. */
const NONE = -1;
/** Slots of a new LRU; they double as entries come, up to `max` (plus the one being evicted). */
const INITIAL_CAPACITY = 16;

/**
 * A least-recently-used map with a time to live per entry. Entries live in slots: the key and
 * value in arrays, the expiry and the recency list (slot numbers) in typed arrays, so an entry
 * costs no object of its own (B5 measured 23.5 MB retained with an object per entry, 20.4 MB
 * with slots). The arrays grow as entries come (a pool of idle principals pays nothing), up to
 * `max`. Reads and writes may be given the time (`at`, `now`; else `performance.now()`, read by
 * a read only when the key is held): a clock read costs about as much as a hit, so a caller
 * handling many keys at once (a `loadMany`, an answer of a thousand items) reads it once.
 *
 * Our own rather than lru-cache's: a hit there cost about twice as much in the loader's hot path
 * (its status bookkeeping and clock reads), and its storage for `max` entries is allocated up
 * front unless sizes are tracked per entry, which costs more again.
 */
export class Lru<K, V, M = never> {
  readonly #max: number;
  /** How long an entry is kept past its expiry, for `getStale` (stale-if-error), in milliseconds. */
  readonly #graceMs: number;
  readonly #slots = new Map<K, number>();
  #keys: (K | undefined)[] = [];
  #values: (V | undefined)[] = [];
  /**
   * What `getMemo` made of each slot's value, dropped with the value. Made on the first
   * `getMemo`, so an LRU that is never asked for one pays nothing; kept as long as `#keys`
   * (a slot is given its place as it is first used), so the array stays dense.
   */
  #memos: (M | undefined)[] | undefined;
  /** `performance.now()` past which a slot is stale; `Infinity` for never. */
  #expiresAt = new Float64Array(0);
  /** Toward the least recently used end. */
  #older = new Int32Array(0);
  /** Toward the most recently used end. */
  #newer = new Int32Array(0);
  #oldest = NONE;
  #newest = NONE;
  /** Slots given back by deletes, reused before new ones. */
  readonly #free: number[] = [];
  #used = 0;

  /** @param graceMs How long a stale entry is kept for `getStale`; 0: dropped once it expires. */
  constructor(max: number, graceMs = 0) {
    this.#max = max;
    this.#graceMs = graceMs;
  }

  /**
   * The value, now the most recently used; `undefined` when absent or stale (then dropped, unless
   * it is still within the grace, where only `getStale` sees it).
   */
  get(key: K, at?: number): V | undefined {
    const slot = this.#freshSlot(key, at);
    return slot === NONE ? undefined : this.#values[slot];
  }

  /**
   * What `make` turns the value into, made on the first call for the value and kept with it
   * until it is replaced or dropped, so later calls allocate nothing; `undefined` when `get`
   * would answer `undefined`, whose freshness rules and recency it follows.
   */
  getMemo(key: K, at: number | undefined, make: (value: V) => M): M | undefined {
    const slot = this.#freshSlot(key, at);
    if (slot === NONE) return undefined;
    const memos = (this.#memos ??= this.#keys.map(() => undefined));
    return (memos[slot] ??= make(this.#values[slot]!));
  }

  /** The slot of a fresh entry, now the most recently used; `NONE` when absent or stale (then dropped past the grace). */
  #freshSlot(key: K, at: number | undefined): number {
    const slot = this.#slots.get(key);
    if (slot === undefined) return NONE;
    const now = at ?? performance.now();
    if (this.#expiresAt[slot]! <= now) {
      if (this.#expiresAt[slot]! + this.#graceMs <= now) this.#remove(slot);
      return NONE;
    }
    this.#touch(slot);
    return slot;
  }

  /**
   * The value, fresh or expired less than `windowMs` ago (at most the grace); `undefined` when
   * absent or past it (and dropped once past the grace). Recency is left alone: serving stale is
   * not a sign of use to keep it.
   */
  getStale(key: K, windowMs: number, at?: number): V | undefined {
    const slot = this.#slots.get(key);
    if (slot === undefined) return undefined;
    const expiresAt = this.#expiresAt[slot]!;
    const now = at ?? performance.now();
    if (expiresAt + this.#graceMs <= now) {
      this.#remove(slot);
      return undefined;
    }
    return expiresAt + windowMs <= now ? undefined : this.#values[slot];
  }

  /** The value, stale or not, without touching recency. */
  peek(key: K): V | undefined {
    const slot = this.#slots.get(key);
    return slot === undefined ? undefined : this.#values[slot];
  }

  /**
   * Stores `value` as the most recently used, for `ttlMs` (`Infinity`: until evicted) from `now`.
   * Returns the value it replaced, stale or not (what `peek` saw), or `undefined`.
   */
  set(key: K, value: V, ttlMs: number, now = performance.now()): V | undefined {
    let slot = this.#slots.get(key);
    let replaced: V | undefined;
    if (slot === undefined) {
      slot = this.#allocate();
      this.#slots.set(key, slot);
      this.#keys[slot] = key;
      this.#append(slot);
    } else {
      this.#touch(slot);
      replaced = this.#values[slot];
    }
    this.#values[slot] = value;
    if (this.#memos !== undefined) this.#memos[slot] = undefined;
    this.#expiresAt[slot] = now + ttlMs;
    if (this.#slots.size > this.#max) this.#remove(this.#oldest);
    return replaced;
  }

  /** Whether the key was held. */
  delete(key: K): boolean {
    const slot = this.#slots.get(key);
    if (slot === undefined) return false;
    this.#remove(slot);
    return true;
  }

  clear(): void {
    this.#slots.clear();
    this.#keys = [];
    this.#values = [];
    this.#memos = undefined;
    this.#free.length = 0;
    this.#used = 0;
    this.#oldest = NONE;
    this.#newest = NONE;
  }

  get size(): number {
    return this.#slots.size;
  }

  /** Every value held, stale or not, oldest first. */
  *values(): IterableIterator<V> {
    for (let slot = this.#oldest; slot !== NONE; slot = this.#newer[slot]!) yield this.#values[slot]!;
  }

  /** Drops every entry past its expiry and the grace. */
  purgeStale(): void {
    const now = performance.now();
    for (let slot = this.#oldest; slot !== NONE; ) {
      const next = this.#newer[slot]!;
      if (this.#expiresAt[slot]! + this.#graceMs <= now) this.#remove(slot);
      slot = next;
    }
  }

  /** Makes the slot the most recently used. */
  #touch(slot: number): void {
    if (slot === this.#newest) return;
    this.#unlink(slot);
    this.#append(slot);
  }

  #remove(slot: number): void {
    this.#slots.delete(this.#keys[slot]!);
    this.#unlink(slot);
    this.#keys[slot] = undefined;
    this.#values[slot] = undefined;
    if (this.#memos !== undefined) this.#memos[slot] = undefined;
    this.#free.push(slot);
  }

  #unlink(slot: number): void {
    const older = this.#older[slot]!;
    const newer = this.#newer[slot]!;
    if (older === NONE) this.#oldest = newer;
    else this.#newer[older] = newer;
    if (newer === NONE) this.#newest = older;
    else this.#older[newer] = older;
  }

  #append(slot: number): void {
    this.#older[slot] = this.#newest;
    this.#newer[slot] = NONE;
    if (this.#newest === NONE) this.#oldest = slot;
    else this.#newer[this.#newest] = slot;
    this.#newest = slot;
  }

  /** A free slot: a given-back one, else the next, growing the typed arrays when they are full. */
  #allocate(): number {
    const reused = this.#free.pop();
    if (reused !== undefined) return reused;
    const slot = this.#used++;
    if (slot >= this.#expiresAt.length) this.#grow(Math.min(Math.max(INITIAL_CAPACITY, this.#expiresAt.length * 2), this.#max + 1));
    return slot;
  }

  #grow(capacity: number): void {
    const expiresAt = new Float64Array(capacity);
    expiresAt.set(this.#expiresAt);
    const older = new Int32Array(capacity);
    older.set(this.#older);
    const newer = new Int32Array(capacity);
    newer.set(this.#newer);
    this.#expiresAt = expiresAt;
    this.#older = older;
    this.#newer = newer;
  }
}
