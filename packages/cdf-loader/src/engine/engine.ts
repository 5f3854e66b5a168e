/**
 * The engine behind every loader: the queue of keys, cut into chunks and dispatched to `send`
 * once a burst of loads is over, and the public operations on it (load, prime, clear, close,
 * abandon). It owns the open chunks and the dispatch; answers go out through `FanOut`, keys
 * settle in `PendingKeys`, the shared-tier step is `ReplicaClaims`. It knows nothing of HTTP:
 * it never imports the sender or the transport, only the `SendRequest` it is handed.
 */
import { NOT_FOUND, type ResultCache } from '../cache/result-cache.js';
import { LoaderClosedError } from '../errors/loader-closed-error.js';
import { type CanonicalKey, copyIdentifier, type Identifier, identifierKey, itemKeys } from '../identifiers/identifiers.js';
import type { MissingPolicy } from '../options/options.js';
import { describeValue } from '../options/describe-value.js';
import type { Resource } from '../resources/resources.js';
import type { SharedTier } from '../shared/shared-tier.js';
import type { LoaderStats, Telemetry } from '../telemetry/telemetry.js';
import { ChunkQueue } from './chunk-queue.js';
import { type Chunk, hasUnsettled, type Pending, unsettledOf } from './chunk.js';
import { FanOut } from './fan-out.js';
import { Invalidations } from './invalidations.js';
import type { OutgoingRequest, SendRequest } from './outgoing-request.js';
import { ManyLoad, PendingLoad, SingleLoad, toError, type WaiterHost } from './pending-load.js';
import { PendingKeys } from './pending-keys.js';
import { ReplicaClaims } from './replica-claims.js';
import { SignalWatch } from './signal-watch.js';

/** What an engine is built from; options arrive checked. */
export interface EngineParts<TItem extends object> {
  resource: Resource<TItem, unknown>;
  /** Sends one request's identifiers to CDF, with retries, under the concurrency limits. */
  send: SendRequest;
  maxBatchSize: number;
  batchWindowMs: number;
  cache: ResultCache<TItem> | undefined;
  /** The replicas' shared cache tier, when there is one. */
  shared: SharedTier<TItem> | undefined;
  missing: MissingPolicy;
  telemetry: Telemetry;
  /** The concurrency limit in force now, for `stats()`. */
  concurrencyLimit: () => number;
}

export class Engine<TItem extends object> implements WaiterHost<TItem, Chunk<TItem>> {
  /** @internal One listener per signal, for every load that passed it. */
  readonly signals = new SignalWatch();
  readonly #parts: EngineParts<TItem>;
  readonly #telemetry: Telemetry;
  readonly #keys: PendingKeys<TItem>;
  readonly #fanOut: FanOut<TItem>;
  /** The shared-tier step, when there is a shared tier. */
  readonly #claims: ReplicaClaims<TItem> | undefined;
  readonly #queue: ChunkQueue<TItem>;
  readonly #invalidations = new Invalidations();
  #closed: Promise<void> | undefined;

  constructor(parts: EngineParts<TItem>) {
    this.#parts = parts;
    this.#telemetry = parts.telemetry;
    this.#keys = new PendingKeys(parts.resource, parts.missing);
    this.#queue = new ChunkQueue(parts.maxBatchSize, parts.batchWindowMs, parts.telemetry, (chunk) => this.#send(chunk));
    this.#fanOut = new FanOut(this.#keys, this.#invalidations, parts.cache, parts.shared, parts.telemetry);
    if (parts.shared !== undefined) {
      this.#claims = new ReplicaClaims(parts.shared, this.#keys, this.#fanOut, (pending) => this.#requeue(pending));
      parts.shared.onInvalidate((keys) => this.#invalidateLocally(keys));
    }
  }

  load(identifier: unknown, signal?: AbortSignal): Promise<TItem | null> {
    let answer: TItem | null | Pending<TItem>;
    try {
      answer = this.#start(identifier, signal);
    } catch (error) {
      return Promise.reject(error as Error);
    }
    if (!(answer instanceof PendingLoad)) return Promise.resolve(answer);
    return signal === undefined ? answer.promise() : this.#listen(answer, signal);
  }

  /**
   * Loads several; each place holds the item, `null` or the error of that key. Answers the
   * cache already has are put in place directly, and the whole call listens with one object.
   */
  loadMany(identifiers: readonly unknown[], signal?: AbortSignal): Promise<(TItem | null | Error)[]> {
    if (!Array.isArray(identifiers)) {
      return Promise.reject(new TypeError(`\`loadMany\` takes an array of identifiers, got ${describeValue(identifiers)}.`));
    }
    return this.#loadMany(identifiers, signal);
  }

  /** Stores an item under all of its identifiers, replacing what the cache held. */
  prime(item: TItem): void {
    const keys = itemKeys(item);
    if (typeof keys === 'string') throw new TypeError(`\`prime\` needs an item CDF could have sent: ${keys}.`);
    this.#checkOpen();
    this.#invalidate(keys);
    this.#parts.cache?.setItem(item, keys);
    this.#parts.shared?.replace(item, keys);
  }

  /** Forgets the cached value of this identifier and of every other identifier of its item. */
  clear(identifier: unknown): void {
    const key = identifierKey(identifier, this.#parts.resource.kinds);
    this.#checkOpen();
    this.#invalidate([key]);
    this.#parts.cache?.delete(key);
    this.#parts.shared?.delete([key]);
  }

  clearAll(): void {
    this.#checkOpen();
    this.#invalidations.all();
    this.#parts.cache?.clear();
    for (const key of [...this.#keys.byKey.keys()]) this.#keys.detachIfSent(key);
    this.#parts.shared?.clear();
  }

  stats(): LoaderStats {
    return this.#telemetry.stats(this.#parts.concurrencyLimit());
  }

  /**
   * Rejects queued loads with `LoaderClosedError`, aborts requests in flight (their retry waits
   * end with them), stops hearing the shared tier, and resolves when every request and every
   * shared-tier write has ended.
   * Idempotent; loads after it reject at once.
   */
  close(): Promise<void> {
    if (this.#closed !== undefined) return this.#closed;
    const error = new LoaderClosedError(this.#parts.resource.path);
    const { unsent, batches } = this.#queue.stop();
    for (const chunk of unsent) this.#keys.rejectAll(chunk, error);
    const { inFlight } = this.#queue;
    for (const chunk of inFlight.keys()) chunk.abort.abort(error);
    this.#claims?.close(error);
    // In-flight requests first: their answers may still start writes that the shared tier's close waits for.
    const shared = this.#parts.shared;
    this.#closed = Promise.allSettled(inFlight.values()).then(() => shared?.close());
    // Request scopes' batches still waiting for a dispatch: their loads reject as closed now.
    for (const batch of batches) batch();
    return this.#closed;
  }

  /** Runs a request scope's DataLoader batch at the start of the next dispatch; see `ChunkQueue`. */
  scheduleBatch(batch: () => void): void {
    this.#queue.scheduleBatch(batch);
  }

  /**
   * A caller gave up. A key nobody waits for leaves its chunk if the chunk is not sent yet; a
   * sent request is aborted only once none of its keys has a caller left.
   */
  abandon(pending: Pending<TItem>): void {
    pending.waiters--;
    if (pending.waiters > 0 || pending.settled) return;
    if (this.#keys.awaitingReplicas.delete(pending)) {
      pending.settled = true;
      this.#keys.forget(pending);
      return;
    }
    const { chunk } = pending;
    if (chunk.state !== 'sent') {
      pending.settled = true;
      chunk.loads.delete(pending.key);
      this.#keys.forget(pending);
      return;
    }
    for (const load of chunk.loads.values()) {
      if (load.waiters > 0 && !load.settled) return;
    }
    for (const load of chunk.loads.values()) this.#keys.forget(load);
    chunk.abort.abort(new DOMException('Every caller of this request aborted', 'AbortError'));
  }

  /**
   * A load with a signal gets a promise of its own, to reject when its signal aborts. Apart from
   * `load` because a closure's captured variables are allocated when its function is entered:
   * in `load`, every call would pay for them, a call with no signal too.
   */
  #listen(pending: Pending<TItem>, signal: AbortSignal): Promise<TItem | null> {
    return new Promise<TItem | null>((resolve, reject) => {
      const listener = new SingleLoad(pending, resolve, reject, signal, this);
      pending.listen(listener, 0);
      this.signals.add(signal, listener);
    });
  }

  #loadMany(identifiers: readonly unknown[], signal: AbortSignal | undefined): Promise<(TItem | null | Error)[]> {
    const { length } = identifiers;
    return new Promise((resolve) => {
      const many = new ManyLoad<TItem, Chunk<TItem>>(length, resolve, signal, this);
      const { results } = many;
      for (let index = 0; index < length; index++) {
        let answer: TItem | null | Pending<TItem>;
        try {
          answer = this.#start(identifiers[index], signal);
        } catch (error) {
          results[index] = toError(error);
          continue;
        }
        if (!(answer instanceof PendingLoad)) {
          results[index] = answer;
          continue;
        }
        many.remaining++;
        many.waitingFor?.push({ pending: answer, index });
        answer.listen(many, index);
      }
      if (signal !== undefined && many.remaining > 1) this.signals.add(signal, many);
      if (--many.remaining === 0) many.finish();
    });
  }

  /**
   * The synchronous part of a load: the answer itself when the cache has it, else the pending
   * load it joins or starts. Throws what the load must reject with.
   */
  #start(identifier: unknown, signal: AbortSignal | undefined): TItem | null | Pending<TItem> {
    let key: CanonicalKey;
    try {
      key = identifierKey(identifier, this.#parts.resource.kinds);
    } catch (error) {
      this.#telemetry.invalid();
      throw error;
    }
    if (this.#closed !== undefined) throw new LoaderClosedError(this.#parts.resource.path);
    if (signal?.aborted) throw signal.reason;
    const cached = this.#parts.cache?.get(key);
    if (cached !== undefined) {
      this.#telemetry.cacheHit();
      return cached === NOT_FOUND ? this.#keys.notFound(identifier) : cached;
    }
    let pending = this.#keys.byKey.get(key);
    if (pending === undefined) {
      this.#telemetry.queued();
      pending = this.#enqueue(key, copyIdentifier(identifier as Identifier));
    } else {
      this.#telemetry.inflightJoin();
      pending.waiters++;
    }
    return pending;
  }

  #enqueue(key: CanonicalKey, identifier: Identifier): Pending<TItem> {
    const chunk = this.#queue.openChunk();
    const pending = new PendingLoad<TItem, Chunk<TItem>>(key, identifier, chunk);
    chunk.loads.set(key, pending);
    this.#keys.byKey.set(key, pending);
    return pending;
  }

  /** A key back from waiting on another replica: into the open chunk, as a new key would go. */
  #requeue(pending: Pending<TItem>): void {
    const chunk = this.#queue.openChunk();
    pending.chunk = chunk;
    chunk.loads.set(pending.key, pending);
  }

  /** Looks the chunk up in the shared tier, then hands what is left to the sender. */
  async #send(chunk: Chunk<TItem>): Promise<void> {
    const request: OutgoingRequest = {
      signal: chunk.abort.signal,
      identifiers: () => this.#identifiersToSend(chunk),
      wanted: () => hasUnsettled(chunk),
      answer: (items) => this.#fanOut.answerChunk(chunk, items),
    };
    const { shared } = this.#parts;
    const claims = this.#claims;
    // The first look runs beside the wait for slots, not before it.
    const looked = shared === undefined ? undefined : this.#fanOut.answerFromShared(unsettledOf(chunk), shared, chunk);
    if (claims !== undefined) {
      request.shareWithReplicas = async () => {
        await looked;
        // It holds its slots now: see `ReplicaClaims.share`.
        this.#queue.close(chunk);
        return claims.share(chunk);
      };
    }
    try {
      if (claims === undefined) await looked;
      const error = await this.#parts.send(request);
      if (error !== undefined) this.#fail(chunk, error);
    } catch (reason) {
      // An abort means every caller gave up, or the loader closed: not a failure of the request.
      if (chunk.abort.signal.aborted) this.#keys.rejectAll(chunk, chunk.abort.signal.reason);
      else this.#fail(chunk, reason);
    } finally {
      this.#queue.inFlight.delete(chunk);
      this.#pruneInvalidations();
    }
  }

  /** Called by the sender as each attempt starts, in its slot: what to ask CDF for now. */
  #identifiersToSend(chunk: Chunk<TItem>): Identifier[] {
    this.#queue.close(chunk);
    chunk.sentAt = this.#invalidations.start();
    // A retry leaves out keys another request answered meanwhile.
    const identifiers: Identifier[] = [];
    for (const load of chunk.loads.values()) if (!load.settled) identifiers.push(load.identifier);
    return identifiers;
  }

  #fail(chunk: Chunk<TItem>, error: unknown): void {
    this.#telemetry.requestFailed();
    this.#keys.rejectAll(chunk, error);
  }

  /** Marks keys invalidated now: answers already on their way are not cached for them. */
  #invalidate(keys: readonly CanonicalKey[]): void {
    this.#invalidations.keys(keys);
    for (const key of keys) this.#keys.detachIfSent(key);
  }

  /** Another replica cleared or primed these keys (or, `'all'`, everything). */
  #invalidateLocally(keys: readonly CanonicalKey[] | 'all'): void {
    if (keys === 'all') {
      this.#invalidations.all();
      this.#parts.cache?.clear();
      return;
    }
    this.#invalidate(keys);
    for (const key of keys) this.#parts.cache?.delete(key);
  }

  /** Drops invalidation stamps that no request in flight is older than. */
  #pruneInvalidations(): void {
    let oldest = Number.POSITIVE_INFINITY;
    // A chunk not yet looked up or sent will be asked after every invalidation so far.
    for (const chunk of this.#queue.inFlight.keys()) if (chunk.sentAt > 0) oldest = Math.min(oldest, chunk.sentAt);
    this.#invalidations.prune(oldest);
  }

  #checkOpen(): void {
    if (this.#closed !== undefined) throw new LoaderClosedError(this.#parts.resource.path);
  }
}
