/**
 * The engine behind every loader: the queue of keys, cut into chunks and dispatched to `send`
 * once a burst of loads is over, and the public operations on it (load, prime, clear, close,
 * abandon). It owns the open chunks and the dispatch; a chunk's request is `ChunkTrip`, answers
 * go out through `FanOut`, keys settle in `PendingKeys`, invalidations go through `Invalidator`,
 * the shared-tier step is `ReplicaClaims`. It knows nothing of HTTP: it is handed a `SendRequest`.
 */
import { NOT_FOUND, type ResultCache } from '../cache/result-cache.js';
import { LoaderClosedError } from '../errors/loader-closed-error.js';
import { type CanonicalKey, copyIdentifier, type Identifier, identifierKey, itemKeys } from '../identifiers/identifiers.js';
import type { MissingPolicy } from '../options/options.js';
import { describeValue } from '../options/describe-value.js';
import type { Endpoint } from '../resources/endpoint.js';
import type { Resource } from '../resources/resources.js';
import type { SharedTier } from '../shared/shared-tier.js';
import type { LoaderStats, Telemetry } from '../telemetry/telemetry.js';
import { ChunkQueue } from './chunk-queue.js';
import { type Chunk, type Pending } from './chunk.js';
import { ChunkTrip } from './chunk-trip.js';
import { FanOut } from './fan-out.js';
import { Invalidations } from './invalidations.js';
import { Invalidator } from './invalidator.js';
import type { Lane, SendRequest } from './outgoing-request.js';
import { ManyLoad, PendingLoad, SingleLoad, toError, type WaiterHost } from './pending-load.js';
import { PendingKeys } from './pending-keys.js';
import { ReplicaClaims } from './replica-claims.js';
import { SignalWatch } from './signal-watch.js';
import { StaleIfError } from './stale-if-error.js';

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
  readonly #trip: ChunkTrip<TItem>;
  readonly #invalidations = new Invalidations();
  readonly #invalidator: Invalidator<TItem>;
  /** How a resource other than byids differs (see `Endpoint`); `undefined` for byids. */
  readonly #endpoint: Endpoint<TItem> | undefined;
  #closed: Promise<void> | undefined;

  constructor(parts: EngineParts<TItem>) {
    this.#parts = parts;
    this.#telemetry = parts.telemetry;
    this.#endpoint = parts.resource.endpoint;
    this.#keys = new PendingKeys(parts.resource, parts.missing);
    this.#invalidator = new Invalidator(this.#invalidations, this.#keys, parts.cache, parts.shared);
    this.#queue = new ChunkQueue(parts.maxBatchSize, parts.batchWindowMs, parts.telemetry, (chunk) => this.#trip.run(chunk));
    this.#fanOut = new FanOut(this.#keys, this.#invalidations, parts.cache, parts.shared, parts.telemetry, this.#endpoint);
    if (parts.shared !== undefined) {
      // Expiring items (download links) are not claimed: a claim takes an entry the tier still
      // holds for an answer, and an expired link would then be waited for instead of fetched.
      if (this.#endpoint?.freshFor === undefined) this.#claims = new ReplicaClaims(parts.shared, this.#keys, this.#fanOut, (pending) => this.#requeue(pending));
      parts.shared.onInvalidate((keys) => this.#invalidator.fromReplica(keys));
    }
    this.#trip = new ChunkTrip({
      send: parts.send,
      queue: this.#queue,
      keys: this.#keys,
      fanOut: this.#fanOut,
      invalidations: this.#invalidations,
      cache: parts.cache,
      shared: parts.shared,
      claims: this.#claims,
      // Answers keys of a request that met an outage from stale entries, with `cache.staleIfErrorMs`.
      stale: parts.cache?.keepsStale === true ? new StaleIfError(parts.cache, parts.shared, this.#keys, parts.telemetry, this.#fanOut) : undefined,
      telemetry: parts.telemetry,
      keyOf: (identifier) => this.#keyOf(identifier),
      unknownIdsFail: this.#endpoint?.unknownIdsFail === true,
    });
  }

  load(identifier: unknown, signal?: AbortSignal): Promise<TItem | null> {
    let answer: TItem | null | Pending<TItem>;
    try {
      const key = this.#checkedKey(identifier, signal);
      // A hit hands out the promise its entry keeps: nothing allocated.
      const hit = this.#parts.cache?.getSettled(key);
      if (hit !== undefined) {
        this.#telemetry.cacheHit();
        return hit === NOT_FOUND ? Promise.resolve(this.#keys.notFound(identifier)) : hit;
      }
      answer = this.#startUncached(key, identifier, 'interactive', undefined);
    } catch (error) {
      return Promise.reject(error as Error);
    }
    if (!(answer instanceof PendingLoad)) return Promise.resolve(answer);
    return signal === undefined ? answer.promise() : this.#listen(answer, signal);
  }

  /**
   * Loads several; each place holds the item, `null` or the error of that key. Answers the
   * cache already has are put in place directly, and the whole call listens with one object.
   * New keys of the `background` lane wait in held chunks (see `Chunk.held`).
   */
  loadMany(identifiers: readonly unknown[], signal?: AbortSignal, lane: Lane = 'interactive'): Promise<(TItem | null | Error)[]> {
    if (!Array.isArray(identifiers)) {
      return Promise.reject(new TypeError(`\`loadMany\` takes an array of identifiers, got ${describeValue(identifiers)}.`));
    }
    return this.#loadMany(identifiers, signal, lane);
  }

  /** Keys background loads queued that are not settled yet: queued, held or in flight. */
  get backgroundWaiting(): number {
    return this.#keys.backgroundWaiting;
  }

  /** Whether a background request is waiting for a slot or in flight: CDF has bulk work to do. */
  get backgroundBusy(): boolean {
    for (const chunk of this.#queue.inFlight.keys()) if (chunk.lane === 'background') return true;
    return false;
  }

  /** Sends the held background chunks at the next dispatch, full or not. */
  releaseBackground(): void {
    this.#queue.releaseHeld();
  }

  /** Stores an item under all of its identifiers, replacing what the cache held. */
  prime(item: TItem): void {
    const keys = (this.#endpoint?.itemKeys ?? itemKeys)(item);
    if (typeof keys === 'string') throw new TypeError(`\`prime\` needs an item CDF could have sent: ${keys}.`);
    this.#checkOpen();
    this.#invalidator.prime(item, keys);
  }

  /** Forgets the cached value of this identifier and of every other identifier of its item. */
  clear(identifier: unknown): void {
    const key = this.#keyOf(identifier);
    this.#checkOpen();
    this.#invalidator.clear(key);
  }

  clearAll(): void {
    this.#checkOpen();
    this.#invalidator.clearAll();
  }

  stats(): LoaderStats {
    return this.#telemetry.stats(this.#parts.concurrencyLimit());
  }

  /**
   * Rejects queued loads with `LoaderClosedError`, aborts requests in flight (their retry waits
   * end with them), stops hearing the shared tier, and resolves when every request and every
   * shared-tier write has ended. Idempotent; loads after it reject at once.
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

  /** A caller gave up: see `PendingKeys.abandon`. */
  abandon(pending: Pending<TItem>): void {
    this.#keys.abandon(pending);
  }

  /** A load with a signal gets its own promise; apart from `load`, whose every call would allocate this closure's context. */
  #listen(pending: Pending<TItem>, signal: AbortSignal): Promise<TItem | null> {
    return new Promise<TItem | null>((resolve, reject) => {
      const listener = new SingleLoad(pending, resolve, reject, signal, this);
      pending.listen(listener, 0);
      this.signals.add(signal, listener);
    });
  }

  #loadMany(identifiers: readonly unknown[], signal: AbortSignal | undefined, lane: Lane): Promise<(TItem | null | Error)[]> {
    const { length } = identifiers;
    return new Promise((resolve) => {
      const many = new ManyLoad<TItem, Chunk<TItem>>(length, resolve, signal, this);
      const { results } = many;
      // One clock read for every key of the call (see `Lru`).
      const now = this.#parts.cache === undefined ? undefined : performance.now();
      for (let index = 0; index < length; index++) {
        let answer: TItem | null | Pending<TItem>;
        try {
          answer = this.#start(identifiers[index], signal, lane, now);
        } catch (error) {
          results[index] = toError(error);
          continue;
        }
        if (!(answer instanceof PendingLoad)) {
          results[index] = answer;
          continue;
        }
        many.remaining++;
        many.waitingFor?.push(answer, index);
        answer.listen(many, index);
      }
      if (signal !== undefined && many.remaining > 1) this.signals.add(signal, many);
      if (--many.remaining === 0) many.finish();
    });
  }

  /** A load's synchronous part: the cached answer (fresh at `now`), else the pending load it joins or starts; throws its rejection. */
  #start(identifier: unknown, signal: AbortSignal | undefined, lane: Lane, now?: number): TItem | null | Pending<TItem> {
    const key = this.#checkedKey(identifier, signal);
    const cached = this.#parts.cache?.get(key, now);
    if (cached !== undefined) {
      this.#telemetry.cacheHit();
      return cached === NOT_FOUND ? this.#keys.notFound(identifier) : cached;
    }
    return this.#startUncached(key, identifier, lane, now);
  }

  /** The identifier's key, checked, for a load the loader may still take; throws what the load rejects with. */
  #checkedKey(identifier: unknown, signal: AbortSignal | undefined): CanonicalKey {
    let key: CanonicalKey;
    try {
      key = this.#keyOf(identifier);
    } catch (error) {
      this.#telemetry.invalid();
      throw error;
    }
    if (this.#closed !== undefined) throw new LoaderClosedError(this.#parts.resource.path);
    if (signal?.aborted) throw signal.reason;
    return key;
  }

  /** A load's synchronous part past a cache miss: a stale answer while revalidating, else the pending load it joins or starts. */
  #startUncached(key: CanonicalKey, identifier: unknown, lane: Lane, now: number | undefined): TItem | null | Pending<TItem> {
    const stale = this.#parts.cache?.getRevalidating(key, now);
    if (stale !== undefined) {
      this.#telemetry.staleWhileRevalidate();
      // One refresh per item, by its id (its answer refreshes every key of the item); nobody waits on it.
      const id = stale === NOT_FOUND ? undefined : (stale as { id: number }).id;
      const refresh = id ?? key;
      if (!this.#keys.byKey.has(refresh)) this.#enqueue(refresh, id === undefined ? this.#copy(identifier) : { id }, 'interactive').waiters = 0;
      return stale === NOT_FOUND ? this.#keys.notFound(identifier) : stale;
    }
    let pending = this.#keys.byKey.get(key);
    if (pending === undefined) {
      this.#telemetry.queued();
      pending = this.#enqueue(key, this.#copy(identifier), lane);
    } else {
      this.#telemetry.inflightJoin();
      pending.waiters++;
      // An interactive load does not wait for a bulk request of a thousand keys that is not sent
      // yet: its key moves to an interactive request, which goes first.
      if (lane === 'interactive' && pending.chunk.lane === 'background' && pending.chunk.state !== 'sent') {
        pending.chunk.loads.delete(key);
        pending.chunk = this.#queue.add('interactive', key, pending);
      }
    }
    return pending;
  }

  #enqueue(key: CanonicalKey, identifier: Identifier, lane: Lane): Pending<TItem> {
    const pending = new PendingLoad<TItem, Chunk<TItem>>(key, identifier, undefined!);
    pending.chunk = this.#queue.add(lane, key, pending);
    if (lane === 'background') this.#keys.countBackground(pending);
    this.#keys.add(pending);
    return pending;
  }

  /** A key back from waiting on another replica: into the open chunk, as a new key would go. */
  #requeue(pending: Pending<TItem>): void {
    pending.chunk = this.#queue.add(pending.chunk.lane, pending.key, pending);
  }

  /** A plain copy of an identifier just checked, to send: what is sent is what was checked. */
  #copy(identifier: unknown): Identifier {
    return (this.#endpoint?.copyIdentifier?.(identifier as object) ?? copyIdentifier(identifier as Identifier)) as Identifier;
  }

  /** An identifier's canonical key, checked as the resource requires. */
  #keyOf(identifier: unknown): CanonicalKey {
    const endpoint = this.#endpoint;
    return endpoint?.identifierKey === undefined ? identifierKey(identifier, this.#parts.resource.kinds) : endpoint.identifierKey(identifier);
  }

  #checkOpen(): void {
    if (this.#closed !== undefined) throw new LoaderClosedError(this.#parts.resource.path);
  }
}
