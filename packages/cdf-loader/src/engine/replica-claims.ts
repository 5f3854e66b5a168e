/**
 * The shared-tier step of a request that holds its slots: a last look in the shared tier, then
 * claims on the keys left, the wait for keys another replica claimed, and giving back claims the
 * request will not answer. It owns that wait; it never sends a request, and gives keys back to
 * the queue only through `requeue`.
 */
import { CLAIM_TTL_MS, type SharedTier } from '../shared/shared-tier.js';
import { type Chunk, type Pending, unsettledOf } from './chunk.js';
import type { FanOut } from './fan-out.js';
import type { Settlement } from './pending-load.js';
import type { PendingKeys } from './pending-keys.js';

export class ReplicaClaims<TItem extends object> {
  readonly #shared: SharedTier<TItem>;
  readonly #keys: PendingKeys<TItem>;
  readonly #fanOut: FanOut<TItem>;
  /** Puts a key back in the queue, as a new key would go. */
  readonly #requeue: (pending: Pending<TItem>) => void;
  /** Aborts at `close`, ending waits on other replicas. */
  readonly #closing = new AbortController();
  /**
   * Keys that waited for another replica in vain: they are fetched here next time, whatever the
   * tier says, so an entry the tier counts as an answer but the loader cannot read (a foreign or
   * corrupt value) cannot send a key round the wait forever.
   */
  readonly #waitedInVain = new WeakSet<Pending<TItem>>();
  /** The loads each chunk holds claims on, until its request ends (see `endClaims`). */
  readonly #claimedIn = new WeakMap<Chunk<TItem>, Pending<TItem>[]>();
  /** The invalidation stamp each wait on another replica started its latest look at (see `oldestWait`). */
  readonly #waits = new Set<{ since: number }>();

  constructor(shared: SharedTier<TItem>, keys: PendingKeys<TItem>, fanOut: FanOut<TItem>, requeue: (pending: Pending<TItem>) => void) {
    this.#shared = shared;
    this.#keys = keys;
    this.#fanOut = fanOut;
    this.#requeue = requeue;
    shared.listenForStored();
  }

  /**
   * Looks the chunk's keys up once more, then claims the keys left: keys another replica is
   * fetching leave this chunk and wait for that replica's answer (see `#await`). The chunk must
   * be closed first: keys arriving during these round trips go to the next chunk, since they
   * would be sent without being looked up or claimed.
   */
  async share(chunk: Chunk<TItem>): Promise<void> {
    const loads = unsettledOf(chunk);
    const owned = await this.#fanOut.answerFromSharedAndClaim(loads, this.#shared, chunk);
    if (owned === undefined) return;
    this.#claimedIn.set(chunk, loads.filter((_, index) => owned[index] === true));
    const elsewhere = loads.filter((load, index) => owned[index] === false && !load.settled && !this.#waitedInVain.has(load));
    if (elsewhere.length === 0) return;
    for (const load of elsewhere) {
      chunk.loads.delete(load.key);
      this.#keys.awaitingReplicas.add(load);
    }
    void this.#await(elsewhere);
  }

  /**
   * The chunk's request ended. If it failed or was abandoned, the claims it took are given back,
   * so replicas waiting on them fetch the keys now rather than when the claims expire; an answer
   * ended them as it was stored.
   */
  endClaims(chunk: Chunk<TItem>, answered: boolean): void {
    const claimed = this.#claimedIn.get(chunk);
    this.#claimedIn.delete(chunk);
    if (claimed !== undefined && !answered) this.#shared.release(claimed.map((load) => load.key));
  }

  /**
   * The earliest invalidation stamp a wait on another replica may still answer under
   * (`Infinity` for none): invalidations since then must be kept (see `Invalidations.prune`).
   */
  get oldestWait(): number {
    let oldest = Number.POSITIVE_INFINITY;
    for (const { since } of this.#waits) oldest = Math.min(oldest, since);
    return oldest;
  }

  /** Settles every key still waiting on another replica with `error`, and ends the waits. */
  close(error: Error): void {
    const failed: Settlement<TItem> = { ok: false, error };
    const { awaitingReplicas } = this.#keys;
    for (const pending of awaitingReplicas) this.#keys.settle(pending, failed);
    awaitingReplicas.clear();
    this.#closing.abort(error);
  }

  /**
   * Keys another replica claimed, until their answers are here: an answer the tier's message
   * carried settles its key at once; a key the tier says was stored without its answer is read,
   * and every key is looked for each poll interval (see `SharedTier.nextStored`). Each look claims
   * what is neither answered nor claimed any more (the other replica's request failed, or its
   * claim expired): those go back in the queue at once and are fetched here, as do all of them
   * when the tier goes down or the wait outlasts a claim.
   */
  async #await(loads: readonly Pending<TItem>[]): Promise<void> {
    const deadline = performance.now() + CLAIM_TTL_MS;
    const { awaitingReplicas } = this.#keys;
    const stillWaiting = (load: Pending<TItem>): boolean => !load.settled && awaitingReplicas.has(load);
    let waiting = loads;
    const wait = { since: 0 };
    this.#waits.add(wait);
    try {
      for (;;) {
        // An answer the message carries was fetched before it came: it stands for a key not invalidated since the wait began.
        wait.since = this.#fanOut.stamp();
        const heard = await this.#shared.nextStored(waiting.map((load) => load.key), this.#closing.signal);
        waiting = waiting.filter(stillWaiting);
        const carried = waiting.filter((load) => heard.get(load.key) !== undefined);
        this.#fanOut.answerFromStored(carried, carried.map((load) => heard.get(load.key)), wait.since);
        // Heard stored without an answer that stands (or a poll): read now, and claimed if it is not there.
        const toRead = waiting.filter((load) => !load.settled && (heard.size === 0 || heard.has(load.key)));
        if (toRead.length > 0) {
          const ours = await this.#fanOut.answerFromSharedAndClaim(toRead, this.#shared);
          if (ours === undefined) break;
          this.#fetchHere(toRead.filter((load, index) => ours[index] === true && !load.settled), false);
        }
        waiting = waiting.filter(stillWaiting);
        if (waiting.length === 0) return;
        if (performance.now() >= deadline) break;
      }
    } catch {
      return; // closed: `close` settled them
    } finally {
      this.#waits.delete(wait);
    }
    this.#fetchHere(waiting.filter(stillWaiting), true);
  }

  /** Puts keys that were waiting on another replica back in the queue. */
  #fetchHere(loads: readonly Pending<TItem>[], inVain: boolean): void {
    for (const load of loads) {
      if (!this.#keys.awaitingReplicas.delete(load)) continue;
      if (inVain) this.#waitedInVain.add(load);
      this.#requeue(load);
    }
  }
}
