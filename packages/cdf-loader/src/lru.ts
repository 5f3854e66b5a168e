/** One entry: in the map under its key, and in the recency list. */
interface Node<K, V> {
  key: K;
  value: V;
  /** `performance.now()` past which the entry is stale; `Infinity` for never. */
  expiresAt: number;
  /** Toward the least recently used end. */
  older: Node<K, V> | undefined;
  /** Toward the most recently used end. */
  newer: Node<K, V> | undefined;
}

/**
 * A least-recently-used map with a time to live per entry: a `Map` for lookup and a doubly
 * linked list for recency, so a hit costs one hash lookup and a few pointer moves. It takes
 * memory as entries come (a pool of idle principals pays nothing), and holds at most `max`.
 *
 * Our own rather than lru-cache's: a hit there cost about twice as much in the loader's hot path
 * (its status bookkeeping and clock reads), and its storage for `max` entries is allocated up
 * front unless sizes are tracked per entry, which costs more again.
 */
export class Lru<K, V> {
  readonly #max: number;
  readonly #map = new Map<K, Node<K, V>>();
  #oldest: Node<K, V> | undefined;
  #newest: Node<K, V> | undefined;

  constructor(max: number) {
    this.#max = max;
  }

  /** The value, now the most recently used; `undefined` when absent or stale (then dropped). */
  get(key: K): V | undefined {
    const node = this.#map.get(key);
    if (node === undefined) return undefined;
    if (node.expiresAt <= performance.now()) {
      this.#remove(node);
      return undefined;
    }
    if (node !== this.#newest) {
      this.#unlink(node);
      this.#append(node);
    }
    return node.value;
  }

  /** The value, stale or not, without touching recency. */
  peek(key: K): V | undefined {
    return this.#map.get(key)?.value;
  }

  /** Stores `value` as the most recently used, for `ttlMs` (`Infinity`: until evicted). */
  set(key: K, value: V, ttlMs: number): void {
    const expiresAt = performance.now() + ttlMs;
    let node = this.#map.get(key);
    if (node !== undefined) {
      node.value = value;
      node.expiresAt = expiresAt;
      if (node !== this.#newest) {
        this.#unlink(node);
        this.#append(node);
      }
      return;
    }
    node = { key, value, expiresAt, older: undefined, newer: undefined };
    this.#map.set(key, node);
    this.#append(node);
    if (this.#map.size > this.#max) this.#remove(this.#oldest!);
  }

  /** Whether the key was held. */
  delete(key: K): boolean {
    const node = this.#map.get(key);
    if (node === undefined) return false;
    this.#remove(node);
    return true;
  }

  clear(): void {
    this.#map.clear();
    this.#oldest = undefined;
    this.#newest = undefined;
  }

  get size(): number {
    return this.#map.size;
  }

  /** Every value held, stale or not, oldest first. */
  *values(): IterableIterator<V> {
    for (let node = this.#oldest; node !== undefined; node = node.newer) yield node.value;
  }

  /** Drops every stale entry. */
  purgeStale(): void {
    const now = performance.now();
    for (let node = this.#oldest; node !== undefined; ) {
      const next = node.newer;
      if (node.expiresAt <= now) this.#remove(node);
      node = next;
    }
  }

  #remove(node: Node<K, V>): void {
    this.#map.delete(node.key);
    this.#unlink(node);
  }

  #unlink(node: Node<K, V>): void {
    if (node.older === undefined) this.#oldest = node.newer;
    else node.older.newer = node.newer;
    if (node.newer === undefined) this.#newest = node.older;
    else node.newer.older = node.older;
    node.older = undefined;
    node.newer = undefined;
  }

  #append(node: Node<K, V>): void {
    node.older = this.#newest;
    if (this.#newest === undefined) this.#oldest = node;
    else this.#newest.newer = node;
    this.#newest = node;
  }
}
