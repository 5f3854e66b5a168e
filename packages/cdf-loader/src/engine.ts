import { AsyncResource } from 'node:async_hooks';
import { NOT_FOUND, type ResultCache } from './cache.js';
import { describeValue } from './describe-value.js';
import { LoaderClosedError } from './errors/loader-closed-error.js';
import { NotFoundError } from './errors/not-found-error.js';
import { type CanonicalKey, copyIdentifier, type Identifier, identifierKey, itemKeys } from './identifiers.js';
import type { MissingPolicy } from './options.js';
import type { Resource } from './resources.js';
import { CLAIM_POLL_MS, CLAIM_TTL_MS, type SharedTier } from './shared-tier.js';
import { sleep } from './abortable.js';
import { Invalidations } from './invalidations.js';
import { SignalWatch } from './signal-watch.js';
import { ManyLoad, PendingLoad, type Settlement, SingleLoad, type WaiterHost } from './pending-load.js';
import type { LoaderStats, Telemetry } from './telemetry.js';

/**
 * One byids request as the engine hands it to the sender. The engine keeps the keys; the sender
 * asks it, at each attempt, which identifiers are still wanted, and hands it each answer inside
 * the concurrency slot, so the next request sent already knows which keys are answered.
 */
export interface OutgoingRequest {
  /** Aborts when every caller gave up, or the loader closed. */
  readonly signal: AbortSignal;
  /** Identifiers still wanted, for the attempt about to be sent; none ends the request. */
  identifiers(): readonly object[];
  /** Whether any key is still waiting (another request may have answered them all). */
  wanted(): boolean;
  /** The items of a successful attempt. */
  answer(items: readonly unknown[]): void;
  /**
   * Once the first attempt holds its slots, what the replicas know: a last look in the shared
   * cache tier (another replica may have fetched these keys while this request waited for the
   * budget), then claims on the keys left, so keys another replica is fetching now are waited
   * for rather than fetched twice.
   */
  shareWithReplicas?(): Promise<void>;
}

/**
 * Sends a request until it is answered or fails for good. Resolves with the error its keys
 * reject with, or `undefined` when it was answered (or nothing was left to ask); rejects only
 * with the signal's reason.
 */
export type SendRequest = (request: OutgoingRequest) => Promise<Error | undefined>;

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

/** The keys of one byids request. It takes keys until it is sent. */
class Chunk<TItem> {
  readonly loads = new Map<CanonicalKey, Pending<TItem>>();
  /** `collecting`: not yet handed to the sender; `queued`: waiting for a slot; `sent`: closed. */
  state: 'collecting' | 'queued' | 'sent' = 'collecting';
  readonly abort = new AbortController();
  /** The invalidation stamp when its latest attempt (or shared lookup) started; see `Invalidations`. */
  sentAt = 0;
  /** The async context of the load that opened it, where its request runs (for tracing). */
  readonly context = new AsyncResource('cdf-loader.request');
}

const resolvedPromise = Promise.resolve();

/**
 * The engine behind every loader: a queue of keys cut into chunks, each handed to `send`, with
 * each answer fanned out to every caller that asked. It knows nothing of HTTP.
 */
/** A key waiting in one of this engine's chunks. */
type Pending<TItem> = PendingLoad<TItem, Chunk<TItem>>;

export class Engine<TItem extends object> implements WaiterHost<TItem, Chunk<TItem>> {
  /** @internal One listener per signal, for every load that passed it. */
  readonly signals = new SignalWatch();
  readonly #parts: EngineParts<TItem>;
  readonly #telemetry: Telemetry;
  /** Keys queued or in flight, for joining. */
  readonly #pending = new Map<CanonicalKey, Pending<TItem>>();
  /** Chunks not yet sent, oldest first; new keys go to the last one while it has room. */
  readonly #open: Chunk<TItem>[] = [];
  /** Chunks handed to the sender and not yet done, with their `#send`. */
  readonly #inFlight = new Map<Chunk<TItem>, Promise<void>>();
  #dispatchTimer: NodeJS.Timeout | undefined;
  #dispatchScheduled = false;
  /** Request scopes' batches, run at the start of the next dispatch; see `scheduleBatch`. */
  #scopeBatches: (() => void)[] = [];
  readonly #invalidations = new Invalidations();
  /** Keys another replica is fetching (it holds their claims); see `#awaitReplicas`. */
  readonly #awaitingReplicas = new Set<Pending<TItem>>();
  /** Aborts at `close`, ending waits on other replicas. */
  readonly #closing = new AbortController();
  #closed: Promise<void> | undefined;

  constructor(parts: EngineParts<TItem>) {
    this.#parts = parts;
    this.#telemetry = parts.telemetry;
    parts.shared?.onInvalidate((keys) => this.#invalidateLocally(keys));
  }

  load(identifier: unknown, signal?: AbortSignal): Promise<TItem | null> {
    let answer: TItem | null | Pending<TItem>;
    try {
      answer = this.#start(identifier, signal);
    } catch (error) {
      return Promise.reject(error as Error);
    }
    if (!(answer instanceof PendingLoad)) return Promise.resolve(answer);
    const pending = answer;
    return new Promise<TItem | null>((resolve, reject) => {
      const listener = new SingleLoad(pending, resolve, reject, signal, this);
      pending.listen(listener, 0);
      if (signal !== undefined) this.signals.add(signal, listener);
    });
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
    for (const key of [...this.#pending.keys()]) this.#detachIfSent(key);
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
    clearTimeout(this.#dispatchTimer);
    for (const chunk of this.#open.splice(0)) {
      chunk.state = 'sent';
      this.#rejectAll(chunk, error);
    }
    for (const chunk of this.#inFlight.keys()) chunk.abort.abort(error);
    const failed: Settlement<TItem> = { ok: false, error };
    for (const pending of this.#awaitingReplicas) this.#settle(pending, failed);
    this.#awaitingReplicas.clear();
    this.#closing.abort(error);
    // In-flight requests first: their answers may still start writes that the shared tier's close waits for.
    const shared = this.#parts.shared;
    this.#closed = Promise.allSettled(this.#inFlight.values()).then(() => shared?.close());
    // Request scopes' batches still waiting for a dispatch: their loads reject as closed now.
    const batches = this.#scopeBatches;
    this.#scopeBatches = [];
    for (const batch of batches) batch();
    return this.#closed;
  }

  /**
   * Runs `batch` (a request scope's DataLoader batch) at the start of this engine's next
   * dispatch, so the scope's keys join the chunks sent in that same dispatch instead of waiting
   * for one more tick: DataLoader's scheduling and the engine's meet.
   */
  scheduleBatch(batch: () => void): void {
    this.#scopeBatches.push(batch);
    this.#scheduleDispatch();
  }

  /**
   * A caller gave up. A key nobody waits for leaves its chunk if the chunk is not sent yet; a
   * sent request is aborted only once none of its keys has a caller left.
   */
  abandon(pending: Pending<TItem>): void {
    pending.waiters--;
    if (pending.waiters > 0 || pending.settled) return;
    if (this.#awaitingReplicas.delete(pending)) {
      pending.settled = true;
      this.#forget(pending);
      return;
    }
    const { chunk } = pending;
    if (chunk.state !== 'sent') {
      pending.settled = true;
      chunk.loads.delete(pending.key);
      this.#forget(pending);
      return;
    }
    for (const load of chunk.loads.values()) {
      if (load.waiters > 0 && !load.settled) return;
    }
    for (const load of chunk.loads.values()) this.#forget(load);
    chunk.abort.abort(new DOMException('Every caller of this request aborted', 'AbortError'));
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
      return cached === NOT_FOUND ? this.#notFound(identifier) : cached;
    }
    let pending = this.#pending.get(key);
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
    const chunk = this.#openChunk();
    const pending = new PendingLoad<TItem, Chunk<TItem>>(key, identifier, chunk);
    chunk.loads.set(key, pending);
    this.#pending.set(key, pending);
    return pending;
  }

  /** The chunk new keys go to: the last open one while it has room, else a new one. */
  #openChunk(): Chunk<TItem> {
    let chunk = this.#open.at(-1);
    if (chunk === undefined || chunk.loads.size >= this.#parts.maxBatchSize) {
      chunk = new Chunk<TItem>();
      this.#open.push(chunk);
      this.#scheduleDispatch();
    }
    return chunk;
  }

  /**
   * Hands new chunks to the sender once the current burst of loads is over. With no batch
   * window this is DataLoader's timing: after the promise jobs already queued have run, so loads
   * issued after awaiting resolved promises still join, then a `process.nextTick` hop, so the
   * burst ends before anything is sent. Until its slot frees up, a queued chunk keeps taking new
   * keys (see `#enqueue`): that is what keeps requests full when the limit is reached.
   */
  #scheduleDispatch(): void {
    if (this.#dispatchScheduled) return;
    this.#dispatchScheduled = true;
    const dispatch = (): void => {
      // Scopes' batches first, while a dispatch is still marked scheduled: their keys join this one.
      for (let batches = this.#scopeBatches; batches.length > 0; batches = this.#scopeBatches) {
        this.#scopeBatches = [];
        for (const batch of batches) batch();
      }
      this.#dispatchScheduled = false;
      this.#dispatchTimer = undefined;
      for (const chunk of this.#open) {
        if (chunk.state !== 'collecting') continue;
        chunk.state = 'queued';
        this.#inFlight.set(chunk, chunk.context.runInAsyncScope(this.#send, this, chunk));
      }
    };
    if (this.#parts.batchWindowMs > 0) this.#dispatchTimer = setTimeout(dispatch, this.#parts.batchWindowMs);
    else void resolvedPromise.then(() => process.nextTick(dispatch));
  }

  /** Looks the chunk up in the shared tier, then hands what is left to the sender. */
  async #send(chunk: Chunk<TItem>): Promise<void> {
    const request: OutgoingRequest = {
      signal: chunk.abort.signal,
      identifiers: () => this.#identifiersToSend(chunk),
      wanted: () => hasUnsettled(chunk),
      answer: (items) => this.#fanOut(chunk, items),
    };
    const { shared } = this.#parts;
    if (shared !== undefined) request.shareWithReplicas = () => this.#shareWithReplicas(chunk, shared);
    try {
      if (shared !== undefined) await this.#takeFromShared(unsettledOf(chunk), shared, chunk);
      const error = await this.#parts.send(request);
      if (error !== undefined) this.#fail(chunk, error);
    } catch (reason) {
      // An abort means every caller gave up, or the loader closed: not a failure of the request.
      if (chunk.abort.signal.aborted) this.#rejectAll(chunk, chunk.abort.signal.reason);
      else this.#fail(chunk, reason);
    } finally {
      this.#inFlight.delete(chunk);
      this.#pruneInvalidations();
    }
  }

  /** Called by the sender as each attempt starts, in its slot: what to ask CDF for now. */
  #identifiersToSend(chunk: Chunk<TItem>): Identifier[] {
    this.#close(chunk);
    chunk.sentAt = this.#invalidations.start();
    // A retry leaves out keys another request answered meanwhile.
    const identifiers: Identifier[] = [];
    for (const load of chunk.loads.values()) if (!load.settled) identifiers.push(load.identifier);
    return identifiers;
  }

  /** The chunk takes no more keys. */
  #close(chunk: Chunk<TItem>): void {
    if (chunk.state === 'sent') return;
    chunk.state = 'sent';
    this.#open.splice(this.#open.indexOf(chunk), 1);
    if (chunk.loads.size > 0) this.#telemetry.batch(chunk.loads.size);
  }

  /**
   * Answers every pending key an item names, in this chunk or any other: by id, externalId and
   * instanceId, never by position. Keys of this chunk that no item named are not found. An item
   * that breaks the identifier rules answers nothing. A key invalidated after the request was
   * sent is answered for this chunk's callers only, and not cached.
   */
  #fanOut(chunk: Chunk<TItem>, items: readonly unknown[]): void {
    const { cache, shared } = this.#parts;
    const toShare: { item: object; keys: readonly CanonicalKey[] }[] | undefined = shared === undefined ? undefined : [];
    for (const item of items as TItem[]) {
      const keys = itemKeys(item);
      if (typeof keys === 'string') continue;
      const freshKeys = this.#answer(chunk, chunk.sentAt, item, keys);
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
      this.#settleNotFound(pending);
    }
    this.#telemetry.answered(items.length, notFound);
    if (shared !== undefined && (toShare!.length > 0 || notFoundKeys!.length > 0)) shared.store(toShare!, notFoundKeys!);
  }

  /**
   * Settles the keys an item answers. Returns the keys it may be cached under (its id first),
   * or `undefined` when nobody asked for it or its id was invalidated since the request went out.
   */
  #answer(chunk: Chunk<TItem> | undefined, startedAt: number, item: TItem, keys: readonly CanonicalKey[]): readonly CanonicalKey[] | undefined {
    // The common case, nothing invalidated since the request went out: every key is fresh.
    const allFresh = this.#invalidations.noneSince(startedAt);
    let wanted = false;
    let settlement: Settlement<TItem> | undefined;
    let fresh: CanonicalKey[] | undefined;
    for (const key of keys) {
      const isFresh = allFresh || this.#invalidations.isFresh(key, startedAt);
      if (!allFresh && isFresh) (fresh ??= []).push(key);
      const pending = chunk?.loads.get(key) ?? (isFresh ? this.#pending.get(key) : undefined);
      if (pending === undefined || pending.settled) continue;
      wanted = true;
      this.#settle(pending, (settlement ??= { ok: true, value: item }));
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
  async #takeFromShared(loads: readonly Pending<TItem>[], shared: SharedTier<TItem>, chunk?: Chunk<TItem>): Promise<boolean> {
    if (loads.length === 0) return true;
    const startedAt = this.#invalidations.start();
    if (chunk !== undefined) chunk.sentAt = startedAt;
    const found = await shared.lookUp(loads.map((load) => load.key));
    if (found === undefined) return false;
    let hits = 0;
    for (let index = 0; index < loads.length; index++) {
      const entry = found[index];
      const pending = loads[index]!;
      if (entry === undefined || pending.settled || !this.#invalidations.isFresh(pending.key, startedAt)) continue;
      if (entry === null) {
        this.#parts.cache?.setNotFound(pending.key);
        this.#settleNotFound(pending);
        hits++;
        continue;
      }
      const keys = itemKeys(entry);
      if (typeof keys === 'string' || !keys.includes(pending.key)) continue;
      const freshKeys = this.#answer(chunk, startedAt, entry as TItem, keys);
      if (freshKeys !== undefined) this.#parts.cache?.setItem(entry as TItem, freshKeys);
      if (pending.settled) hits++;
    }
    this.#telemetry.sharedHits(hits);
    return true;
  }

  /**
   * A last look in the shared tier, then claims on the keys left: keys another replica is
   * fetching leave this chunk and wait for that replica's answer (see `#awaitReplicas`).
   */
  async #shareWithReplicas(chunk: Chunk<TItem>, shared: SharedTier<TItem>): Promise<void> {
    // It holds its slots now: keys arriving during these round trips go to the next chunk, since
    // they would be sent without being looked up or claimed.
    this.#close(chunk);
    await this.#takeFromShared(unsettledOf(chunk), shared, chunk);
    const loads = unsettledOf(chunk);
    const owned = await shared.claim(loads.map((load) => load.key));
    if (owned === undefined) return;
    const elsewhere = loads.filter((load, index) => owned[index] === false && !load.settled);
    if (elsewhere.length === 0) return;
    for (const load of elsewhere) {
      chunk.loads.delete(load.key);
      this.#awaitingReplicas.add(load);
    }
    void this.#awaitReplicas(elsewhere, shared);
  }

  /**
   * Keys another replica claimed: looked for in the shared tier every `CLAIM_POLL_MS` until its
   * answer is there. If it is not there when the claim ends (the replica died, or its request
   * failed), or the tier goes down, the keys go back in the queue and are fetched here.
   */
  async #awaitReplicas(loads: readonly Pending<TItem>[], shared: SharedTier<TItem>): Promise<void> {
    const deadline = performance.now() + CLAIM_TTL_MS;
    let waiting = loads;
    try {
      for (;;) {
        await sleep(CLAIM_POLL_MS, this.#closing.signal);
        waiting = waiting.filter((load) => !load.settled && this.#awaitingReplicas.has(load));
        if (waiting.length === 0) return;
        const answered = await this.#takeFromShared(waiting, shared);
        waiting = waiting.filter((load) => !load.settled);
        if (waiting.length === 0) return;
        if (!answered || performance.now() >= deadline) break;
      }
    } catch {
      return; // closed: `close` settled them
    }
    for (const load of waiting) this.#requeue(load);
  }

  /** A key back from waiting on another replica: into the open chunk, as a new key would go. */
  #requeue(pending: Pending<TItem>): void {
    if (!this.#awaitingReplicas.delete(pending)) return;
    const chunk = this.#openChunk();
    pending.chunk = chunk;
    chunk.loads.set(pending.key, pending);
  }

  #settleNotFound(pending: Pending<TItem>): void {
    if (this.#parts.missing === 'null') this.#settle(pending, { ok: true, value: null });
    else this.#settle(pending, { ok: false, error: this.#notFoundError(pending.identifier) });
  }

  #fail(chunk: Chunk<TItem>, error: unknown): void {
    this.#telemetry.requestFailed();
    this.#rejectAll(chunk, error);
  }

  #rejectAll(chunk: Chunk<TItem>, reason: unknown): void {
    const settlement: Settlement<TItem> = { ok: false, error: toError(reason) };
    for (const pending of chunk.loads.values()) {
      if (!pending.settled) this.#settle(pending, settlement);
    }
  }

  #settle(pending: Pending<TItem>, settlement: Settlement<TItem>): void {
    this.#forget(pending);
    if (this.#awaitingReplicas.size > 0) this.#awaitingReplicas.delete(pending);
    // Answered early by another request's item: no need to send it.
    if (pending.chunk.state !== 'sent') pending.chunk.loads.delete(pending.key);
    pending.settle(settlement);
  }

  #forget(pending: Pending<TItem>): void {
    if (this.#pending.get(pending.key) === pending) this.#pending.delete(pending.key);
  }

  /** Marks keys invalidated now: answers already on their way are not cached for them. */
  #invalidate(keys: readonly CanonicalKey[]): void {
    this.#invalidations.keys(keys);
    for (const key of keys) this.#detachIfSent(key);
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
    for (const chunk of this.#inFlight.keys()) if (chunk.sentAt > 0) oldest = Math.min(oldest, chunk.sentAt);
    this.#invalidations.prune(oldest);
  }

  /**
   * After a clear, a request already sent may carry an answer older than the clear: it still
   * answers its callers, but new loads of the key must start afresh rather than join it. A key
   * not yet sent will be fetched after the clear anyway, so it stays.
   */
  #detachIfSent(key: CanonicalKey): void {
    const pending = this.#pending.get(key);
    if (pending !== undefined && pending.chunk.state === 'sent') this.#forget(pending);
  }

  #checkOpen(): void {
    if (this.#closed !== undefined) throw new LoaderClosedError(this.#parts.resource.path);
  }

  /** `null`, or with `missing: 'error'` a thrown `NotFoundError`. */
  #notFound(identifier: unknown): null {
    if (this.#parts.missing === 'null') return null;
    throw this.#notFoundError(identifier);
  }

  #notFoundError(identifier: unknown): NotFoundError {
    const { path, itemName } = this.#parts.resource;
    return new NotFoundError(path, identifier, itemName);
  }
}

function unsettledOf<TItem>(chunk: Chunk<TItem>): Pending<TItem>[] {
  const loads: Pending<TItem>[] = [];
  for (const load of chunk.loads.values()) if (!load.settled) loads.push(load);
  return loads;
}

function hasUnsettled(chunk: Chunk<unknown>): boolean {
  for (const load of chunk.loads.values()) if (!load.settled) return true;
  return false;
}

function toError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}
