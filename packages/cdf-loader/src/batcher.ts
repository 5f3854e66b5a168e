import type { AdaptiveConcurrency } from './adaptive-concurrency.js';
import { NOT_FOUND, type ResultCache } from './cache.js';
import { describeValue } from './describe-value.js';
import { NotFoundError } from './errors/not-found-error.js';
import { type CanonicalKey, identifierKey, identifierOf, itemKeys } from './identifiers.js';
import type { Resource } from './resources.js';
import type { LoaderStats, Telemetry } from './telemetry.js';
import type { AttemptFailure, Transport } from './transport.js';

/** What to do with an identifier CDF has no item for. */
export type MissingPolicy = 'null' | 'error';

/** Backoff for retryable failures (429, 502, 503, 504, `cdf-is-auto-retryable`, network errors, timeouts). */
export interface RetryOptions {
  /**
   * Retries after the first attempt; 0 turns retrying off.
   * @default 5
   */
  limit?: number;
  /**
   * Cap of the first backoff, in milliseconds; each later retry doubles it (full jitter: the wait
   * is uniform between 0 and the cap).
   * @default 250
   */
  baseDelayMs?: number;
  /**
   * Longest wait before a retry, in milliseconds; also caps a `Retry-After` header.
   * @default 15_000
   */
  maxDelayMs?: number;
}

/** Per-load options. */
export interface LoadOptions {
  /** Rejects this load with the signal's reason when it aborts; see "Cancellation". */
  signal?: AbortSignal | undefined;
}

export interface BatcherOptions<TItem extends object> {
  resource: Resource<TItem, unknown>;
  transport: Transport;
  concurrency: AdaptiveConcurrency;
  maxBatchSize: number;
  batchWindowMs: number;
  cache: ResultCache<TItem> | undefined;
  missing: MissingPolicy;
  retry: Required<RetryOptions>;
  telemetry: Telemetry;
}

/** Told how a pending load settled: with its value, or (`failed`) with the reason it failed. */
type Listener<TItem> = (failed: boolean, result: TItem | null | unknown) => void;

/**
 * One key waiting for CDF: shared by every caller that asked for it while it was pending.
 * Callers of `loadMany` listen with a callback; a promise is made only when `load` asks for one,
 * which keeps the common GraphQL path (DataLoader → `loadMany`) at one small closure per key.
 */
class PendingLoad<TItem> {
  /** Callers still waiting; callers without a signal never stop waiting. */
  waiters = 1;
  settled = false;
  #listeners: Listener<TItem>[] | undefined;
  #promise: Promise<TItem | null> | undefined;

  constructor(
    readonly key: CanonicalKey,
    readonly identifier: object,
    readonly chunk: Chunk<TItem>,
  ) {}

  get promise(): Promise<TItem | null> {
    this.#promise ??= new Promise<TItem | null>((resolve, reject) => {
      this.listen((failed, result) => (failed ? reject(result) : resolve(result as TItem | null)));
    });
    return this.#promise;
  }

  listen(listener: Listener<TItem>): void {
    (this.#listeners ??= []).push(listener);
  }

  settle(failed: boolean, result: TItem | null | unknown): void {
    this.settled = true;
    const listeners = this.#listeners;
    if (listeners === undefined) return;
    this.#listeners = undefined;
    for (const listener of listeners) listener(failed, result);
  }
}

/** The keys of one byids request. It takes keys until it is sent. */
class Chunk<TItem> {
  readonly loads = new Map<CanonicalKey, PendingLoad<TItem>>();
  /** `collecting`: not yet handed to the limiter; `queued`: waiting for a slot; `sent`: closed. */
  state: 'collecting' | 'queued' | 'sent' = 'collecting';
  readonly abort = new AbortController();
  /** The loader's count of clears when this was sent; see `#fanOut`. */
  clearsAtSend = 0;
}

const resolvedPromise = Promise.resolve();

/**
 * The engine behind every loader: a queue of keys cut into chunks, sent under a concurrency
 * limit, with each answer fanned out to every caller that asked.
 */
export class Batcher<TItem extends object> {
  readonly #options: BatcherOptions<TItem>;
  /** Keys queued or in flight, for joining. */
  readonly #pending = new Map<CanonicalKey, PendingLoad<TItem>>();
  /** Chunks not yet sent, oldest first; new keys go to the last one while it has room. */
  readonly #open: Chunk<TItem>[] = [];
  #dispatchScheduled = false;
  /** Counts `clear`, `clearAll` and `prime`, so answers sent before one are known; see `#fanOut`. */
  #clears = 0;
  readonly #telemetry: Telemetry;
  readonly #counters: Telemetry['counters'];

  constructor(options: BatcherOptions<TItem>) {
    this.#options = options;
    this.#telemetry = options.telemetry;
    this.#counters = options.telemetry.counters;
  }

  load(identifier: unknown, signal?: AbortSignal): Promise<TItem | null> {
    let answer: TItem | null | PendingLoad<TItem>;
    try {
      answer = this.#start(identifier, signal);
    } catch (error) {
      return Promise.reject(error);
    }
    if (!(answer instanceof PendingLoad)) return Promise.resolve(answer);
    return signal === undefined ? answer.promise : this.#followWithSignal(answer, signal);
  }

  /**
   * Loads several; each place holds the item, `null` or the error of that key. Answers the
   * cache already has are put in place directly, without a promise per key, and a signal gets
   * one listener for the whole call.
   */
  loadMany(identifiers: readonly unknown[], signal?: AbortSignal): Promise<(TItem | null | Error)[]> {
    if (!Array.isArray(identifiers)) {
      return Promise.reject(new TypeError(`\`loadMany\` takes an array of identifiers, got ${describeValue(identifiers)}.`));
    }
    const results = new Array<TItem | null | Error>(identifiers.length);
    const waitingFor: { pending: PendingLoad<TItem>; index: number }[] = [];
    return new Promise((resolve) => {
      let waiting = 1; // the loop itself, so the array is complete before it is handed out
      let done = false;
      const finish = (): void => {
        done = true;
        signal?.removeEventListener('abort', onAbort);
        resolve(results);
      };
      const onAbort = (): void => {
        const reason = toError(signal!.reason);
        for (const { pending, index } of waitingFor) {
          if (results[index] !== undefined) continue;
          results[index] = reason;
          this.#abandon(pending);
        }
        finish();
      };
      for (let index = 0; index < identifiers.length; index++) {
        let answer: TItem | null | PendingLoad<TItem>;
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
        waiting++;
        if (signal !== undefined) waitingFor.push({ pending: answer, index });
        answer.listen((failed, result) => {
          if (done) return;
          results[index] = failed ? toError(result) : (result as TItem | null);
          if (--waiting === 0) finish();
        });
      }
      if (signal !== undefined && waiting > 1) signal.addEventListener('abort', onAbort, { once: true });
      if (--waiting === 0) finish();
    });
  }

  /** Stores an item under all of its identifiers, replacing what the cache held. */
  prime(item: TItem): void {
    const keys = itemKeys(item);
    if (keys.length === 0) throw new TypeError('`prime` needs an item with an `id`, `externalId` or `instanceId`.');
    this.#clears++;
    for (const key of keys) this.#detachIfSent(key);
    this.#options.cache?.setItem(item, keys);
  }

  /** Forgets the cached value of this identifier and of the other identifiers of its item. */
  clear(identifier: unknown): void {
    const key = identifierKey(identifier, this.#options.resource.kinds);
    this.#clears++;
    this.#options.cache?.delete(key);
    this.#detachIfSent(key);
  }

  clearAll(): void {
    this.#clears++;
    this.#options.cache?.clear();
    for (const key of [...this.#pending.keys()]) this.#detachIfSent(key);
  }

  stats(): LoaderStats {
    return { ...this.#counters, concurrencyLimit: this.#options.concurrency.current };
  }

  /**
   * The synchronous part of a load: the answer itself when the cache has it, else the pending
   * load it joins or starts. Throws what the load must reject with.
   */
  #start(identifier: unknown, signal: AbortSignal | undefined): TItem | null | PendingLoad<TItem> {
    this.#counters.loads++;
    let key: CanonicalKey;
    try {
      key = identifierKey(identifier, this.#options.resource.kinds);
    } catch (error) {
      this.#counters.invalid++;
      throw error;
    }
    if (signal?.aborted) throw signal.reason;

    const cached = this.#options.cache?.get(key);
    this.#telemetry.cacheLookup(cached !== undefined);
    if (cached !== undefined) return cached === NOT_FOUND ? this.#notFound(identifier) : cached;

    let pending = this.#pending.get(key);
    if (pending === undefined) {
      pending = this.#enqueue(key);
    } else {
      this.#counters.inflightJoins++;
      pending.waiters++;
    }
    return pending;
  }

  #enqueue(key: CanonicalKey): PendingLoad<TItem> {
    let chunk = this.#open.at(-1);
    if (chunk === undefined || chunk.loads.size >= this.#options.maxBatchSize) {
      chunk = new Chunk<TItem>();
      this.#open.push(chunk);
      this.#scheduleDispatch();
    }
    const pending = new PendingLoad<TItem>(key, identifierOf(key), chunk);
    chunk.loads.set(key, pending);
    this.#pending.set(key, pending);
    return pending;
  }

  /**
   * Hands new chunks to the limiter once the current burst of loads is over. With no batch
   * window this is DataLoader's timing: after the promise jobs already queued have run, so loads
   * issued after awaiting resolved promises still join, then a `process.nextTick` hop, so the
   * burst ends before anything is sent. Until its slot frees up, a queued chunk keeps taking new
   * keys (see `#enqueue`): that is what keeps requests full when the limit is reached.
   */
  #scheduleDispatch(): void {
    if (this.#dispatchScheduled) return;
    this.#dispatchScheduled = true;
    const dispatch = (): void => {
      this.#dispatchScheduled = false;
      for (const chunk of this.#open) {
        if (chunk.state !== 'collecting') continue;
        chunk.state = 'queued';
        void this.#send(chunk);
      }
    };
    if (this.#options.batchWindowMs > 0) setTimeout(dispatch, this.#options.batchWindowMs);
    else void resolvedPromise.then(() => process.nextTick(dispatch));
  }

  /** Runs a chunk's attempts; each attempt takes a slot, and a retry waits without one. */
  async #send(chunk: Chunk<TItem>): Promise<void> {
    const { concurrency, retry } = this.#options;
    try {
      for (let attempt = 1; ; attempt++) {
        const failed = await concurrency.run(() => this.#attempt(chunk, attempt));
        if (failed === undefined) return;
        const { failure, items } = failed;
        // Other requests may have answered every key meanwhile: then nothing failed, nothing to retry.
        if (!hasUnsettled(chunk)) return;
        if (!failure.retryable || attempt > retry.limit) return this.#fail(chunk, failure.error);
        const delayMs = this.#retryDelay(attempt, failure.retryAfterMs);
        this.#telemetry.retry({ items, attempt, status: failure.error.status, delayMs });
        await sleep(delayMs, chunk.abort.signal);
        if (!hasUnsettled(chunk)) return;
      }
    } catch (reason) {
      // An abort means every caller gave up: not a failure of the request.
      if (chunk.abort.signal.aborted) this.#rejectAll(chunk, reason);
      else this.#fail(chunk, reason);
    }
  }

  /**
   * One attempt, in a concurrency slot. A success is fanned out before the slot is given back,
   * so the next request sent already knows which keys are answered. Returns the failure, or
   * `undefined` when the chunk is done (answered, or no key left to ask for).
   */
  async #attempt(chunk: Chunk<TItem>, attempt: number): Promise<{ failure: AttemptFailure; items: number } | undefined> {
    // Every caller may have given up while this waited for its slot.
    if (chunk.abort.signal.aborted) throw chunk.abort.signal.reason;
    if (chunk.state !== 'sent') {
      chunk.state = 'sent';
      chunk.clearsAtSend = this.#clears;
      this.#open.splice(this.#open.indexOf(chunk), 1);
      if (chunk.loads.size > 0) this.#telemetry.batch(chunk.loads.size);
    }
    // A retry leaves out keys another request answered meanwhile.
    const identifiers: object[] = [];
    for (const load of chunk.loads.values()) if (!load.settled) identifiers.push(load.identifier);
    if (identifiers.length === 0) return undefined;

    const { transport, resource, concurrency } = this.#options;
    const generation = concurrency.generation;
    const outcome = await transport.attempt(resource.path, identifiers, chunk.abort.signal, (exchange, durationMs) => {
      this.#telemetry.request({
        items: identifiers.length,
        status: exchange.ok ? exchange.status : exchange.error.status,
        durationMs,
        attempt,
        requestId: exchange.ok ? exchange.requestId : exchange.error.requestId,
      });
    });
    if (outcome.ok) concurrency.succeeded();
    else if (outcome.error.status === 429) concurrency.throttled(generation);
    if (!outcome.ok) return { failure: outcome, items: identifiers.length };
    this.#fanOut(chunk, outcome.items);
    return undefined;
  }

  /**
   * Answers every pending key an item names, in this chunk or any other: by id, externalId and
   * instanceId, never by position. Keys of this chunk that no item named are not found.
   *
   * An answer to a request sent before the latest `clear`, `clearAll` or `prime` may be older
   * than what those were about: it answers its own callers only, and is not cached.
   */
  #fanOut(chunk: Chunk<TItem>, items: readonly unknown[]): void {
    const cache = chunk.clearsAtSend === this.#clears ? this.#options.cache : undefined;
    const others = cache === undefined ? undefined : this.#pending;
    this.#counters.itemsReturned += items.length;
    for (const item of items as TItem[]) {
      const keys = itemKeys(item);
      let wanted = false;
      for (const key of keys) {
        const pending = chunk.loads.get(key) ?? others?.get(key);
        if (pending === undefined || pending.settled) continue;
        wanted = true;
        this.#resolve(pending, item);
      }
      if (wanted) cache?.setItem(item, keys);
    }
    for (const pending of chunk.loads.values()) {
      if (pending.settled) continue;
      this.#counters.notFound++;
      cache?.setNotFound(pending.key);
      if (this.#options.missing === 'null') this.#resolve(pending, null);
      else this.#reject(pending, new NotFoundError(this.#options.resource.path, pending.identifier));
    }
  }

  #fail(chunk: Chunk<TItem>, error: unknown): void {
    this.#counters.requestFailures++;
    this.#rejectAll(chunk, error);
  }

  #rejectAll(chunk: Chunk<TItem>, reason: unknown): void {
    for (const pending of chunk.loads.values()) {
      if (!pending.settled) this.#reject(pending, reason);
    }
  }

  #resolve(pending: PendingLoad<TItem>, value: TItem | null): void {
    this.#settle(pending, false, value);
  }

  #reject(pending: PendingLoad<TItem>, reason: unknown): void {
    this.#settle(pending, true, reason);
  }

  #settle(pending: PendingLoad<TItem>, failed: boolean, result: TItem | null | unknown): void {
    this.#forget(pending);
    // Answered early by another request's item: no need to send it.
    if (pending.chunk.state !== 'sent') pending.chunk.loads.delete(pending.key);
    pending.settle(failed, result);
  }

  #forget(pending: PendingLoad<TItem>): void {
    if (this.#pending.get(pending.key) === pending) this.#pending.delete(pending.key);
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

  #followWithSignal(pending: PendingLoad<TItem>, signal: AbortSignal): Promise<TItem | null> {
    return new Promise<TItem | null>((resolve, reject) => {
      const onAbort = (): void => {
        reject(signal.reason);
        this.#abandon(pending);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      pending.listen((failed, result) => {
        signal.removeEventListener('abort', onAbort);
        if (failed) reject(result);
        else resolve(result as TItem | null);
      });
    });
  }

  /**
   * A caller gave up. A key nobody waits for leaves its chunk if the chunk is not sent yet; a
   * sent request is aborted only once none of its keys has a caller left.
   */
  #abandon(pending: PendingLoad<TItem>): void {
    pending.waiters--;
    if (pending.waiters > 0 || pending.settled) return;
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

  /** `null`, or with `missing: 'error'` a thrown `NotFoundError`. */
  #notFound(identifier: unknown): null {
    if (this.#options.missing === 'null') return null;
    throw new NotFoundError(this.#options.resource.path, identifier);
  }

  /** Full jitter (uniform in 0..cap, the cap doubling per retry); `Retry-After` wins, capped. */
  #retryDelay(attempt: number, retryAfterMs: number | undefined): number {
    const { baseDelayMs, maxDelayMs } = this.#options.retry;
    if (retryAfterMs !== undefined) return Math.min(retryAfterMs, maxDelayMs);
    return Math.random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
  }
}

function hasUnsettled(chunk: Chunk<unknown>): boolean {
  for (const load of chunk.loads.values()) if (!load.settled) return true;
  return false;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function toError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}
