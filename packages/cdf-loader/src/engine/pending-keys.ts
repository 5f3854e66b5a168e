/**
 * The engine's table of keys queued or in flight, and how a key settles or is given up: the one
 * place that forgets a key, answers "not found", rejects a chunk and abandons a key. It owns
 * `byKey` and the keys waiting on another replica; it never sends, caches or reads the shared tier.
 */
import { NotFoundError } from '../errors/not-found-error.js';
import type { CanonicalKey } from '../identifiers/identifiers.js';
import type { MissingPolicy } from '../options/options.js';
import type { Resource } from '../resources/resources.js';
import type { Chunk, Pending } from './chunk.js';
import { type Settlement, toError } from './pending-load.js';

export class PendingKeys<TItem> {
  /** Keys queued or in flight, for joining. */
  readonly byKey = new Map<CanonicalKey, Pending<TItem>>();
  /** Keys another replica is fetching (it holds their claims); see `ReplicaClaims`. */
  readonly awaitingReplicas = new Set<Pending<TItem>>();
  /** Keys queued by background loads and not yet settled: what `loadAll`'s read-ahead counts. */
  backgroundWaiting = 0;
  /**
   * Unsettled loads keyed by name (externalId or instanceId: a string key). While there are
   * none, an answer is matched by id alone (see `FanOut.answerChunk`). Counting one too many
   * would only cost that shortcut; one too few would miss a caller, so each load is counted
   * once, when it is queued, and uncounted once, as it settles or is dropped.
   */
  namedWaiting = 0;
  readonly #resource: Resource<TItem, unknown>;
  readonly #missing: MissingPolicy;

  constructor(resource: Resource<TItem, unknown>, missing: MissingPolicy) {
    this.#resource = resource;
    this.#missing = missing;
  }

  /** A key newly queued: new loads of it join `pending`. */
  add(pending: Pending<TItem>): void {
    this.byKey.set(pending.key, pending);
    if (typeof pending.key === 'string') this.namedWaiting++;
  }

  settle(pending: Pending<TItem>, settlement: Settlement<TItem>): void {
    this.forget(pending);
    if (!pending.settled) this.#uncount(pending);
    if (this.awaitingReplicas.size > 0) this.awaitingReplicas.delete(pending);
    // Answered early by another request's item: no need to send it.
    if (pending.chunk.state !== 'sent') pending.chunk.loads.delete(pending.key);
    pending.settle(settlement);
  }

  settleNotFound(pending: Pending<TItem>): void {
    if (this.#missing === 'null') this.settle(pending, { ok: true, value: null });
    else this.settle(pending, { ok: false, error: this.notFoundError(pending.identifier) });
  }

  rejectAll(chunk: Chunk<TItem>, reason: unknown): void {
    const settlement: Settlement<TItem> = { ok: false, error: toError(reason) };
    for (const pending of chunk.loads.values()) {
      if (!pending.settled) this.settle(pending, settlement);
    }
  }

  /**
   * A caller gave up. A key nobody waits for leaves its chunk if the chunk is not sent yet; a
   * sent request is aborted only once none of its keys has a caller left.
   */
  abandon(pending: Pending<TItem>): void {
    pending.waiters--;
    if (pending.waiters > 0 || pending.settled) return;
    if (this.awaitingReplicas.delete(pending)) {
      this.drop(pending);
      return;
    }
    const { chunk } = pending;
    if (chunk.state !== 'sent') {
      chunk.loads.delete(pending.key);
      this.drop(pending);
      return;
    }
    for (const load of chunk.loads.values()) {
      if (load.waiters > 0 && !load.settled) return;
    }
    for (const load of chunk.loads.values()) this.forget(load);
    chunk.abort.abort(new DOMException('Every caller of this request aborted', 'AbortError'));
  }

  /** A key a background load queued. */
  countBackground(pending: Pending<TItem>): void {
    pending.background = true;
    this.backgroundWaiting++;
  }

  /** Nobody waits for the key any more: it settles without an answer. */
  drop(pending: Pending<TItem>): void {
    if (!pending.settled) this.#uncount(pending);
    pending.settled = true;
    this.forget(pending);
  }

  /** New loads of the key no longer join this pending load. */
  forget(pending: Pending<TItem>): void {
    if (this.byKey.get(pending.key) === pending) this.byKey.delete(pending.key);
  }

  /**
   * After a clear, a request already sent may carry an answer older than the clear: it still
   * answers its callers, but new loads of the key must start afresh rather than join it. A key
   * not yet sent will be fetched after the clear anyway, so it stays.
   */
  detachIfSent(key: CanonicalKey): void {
    const pending = this.byKey.get(key);
    if (pending !== undefined && pending.chunk.state === 'sent') this.forget(pending);
  }

  /** `null`, or with `missing: 'error'` a thrown `NotFoundError`. */
  notFound(identifier: unknown): null {
    if (this.#missing === 'null') return null;
    throw this.notFoundError(identifier);
  }

  notFoundError(identifier: unknown): NotFoundError {
    const { path, itemName } = this.#resource;
    return new NotFoundError(path, identifier, itemName);
  }

  /** A load leaves the counts it was in; called once, as it settles. */
  #uncount(pending: Pending<TItem>): void {
    if (typeof pending.key === 'string') this.namedWaiting--;
    if (!pending.background) return;
    pending.background = false;
    this.backgroundWaiting--;
  }
}
