/**
 * One pending key and its listeners: the promise side of a load. It owns who waits for a key and
 * how they hear its settlement; it never decides when a key settles (the engine's parts do).
 */
import type { CanonicalKey, Identifier } from '../identifiers/identifiers.js';
import type { AbortListener, SignalWatch } from './signal-watch.js';

/** What the waiters need of the engine: its signal watch, and a way to give up a key. */
export interface WaiterHost<TItem, TChunk> {
  readonly signals: SignalWatch;
  abandon(pending: PendingLoad<TItem, TChunk>): void;
}

/** How a key settled: its value, or the error its loads reject with. */
export type Settlement<TItem> = { ok: true; value: TItem | null } | { ok: false; error: Error };

/** Hears how a pending key settled; `slot` is what it passed to `listen` (a `loadMany` index). */
export interface Listener<TItem> {
  settled(settlement: Settlement<TItem>, slot: number): void;
}

/**
 * One key waiting for CDF: shared by every caller that asked for it while it was pending. The
 * first listener is held inline, so the common case (one caller) allocates no array.
 */
export class PendingLoad<TItem, TChunk> {
  /** Callers still waiting; callers without a signal never stop waiting. */
  waiters = 1;
  settled = false;
  /** Queued by a background (`loadAll`) load: counted in the bulk keys waiting for CDF. */
  background = false;
  #first: Listener<TItem> | undefined;
  #firstSlot = 0;
  /** Further listeners and their slots, flat (`[listener, slot, listener, slot, …]`): no object per join. */
  #more: (Listener<TItem> | number)[] | undefined;
  /** The promise every `load()` without a signal shares (see `promise`), and its functions. */
  #promise: Promise<TItem | null> | undefined;
  #resolve: ((value: TItem | null) => void) | undefined;
  #reject: ((error: Error) => void) | undefined;

  constructor(
    readonly key: CanonicalKey,
    readonly identifier: Identifier,
    /** The engine's chunk the key is in. */
    public chunk: TChunk,
  ) {}

  listen(listener: Listener<TItem>, slot: number): void {
    if (this.#first === undefined) {
      this.#first = listener;
      this.#firstSlot = slot;
    } else {
      (this.#more ??= []).push(listener, slot);
    }
  }

  /**
   * What a `load()` without a signal returns: one promise for the key however many callers ask,
   * as DataLoader memoizes. Such a caller never gives up, so it needs nothing of its own: a
   * join costs no promise, no listener and no call at settlement.
   */
  promise(): Promise<TItem | null> {
    return this.#promise ?? this.#newPromise();
  }

  /** Apart from `promise`, so a join does not allocate the closure's context (see `Engine#listen`). */
  #newPromise(): Promise<TItem | null> {
    return (this.#promise = new Promise<TItem | null>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    }));
  }

  settle(settlement: Settlement<TItem>): void {
    this.settled = true;
    const resolve = this.#resolve;
    if (resolve !== undefined) {
      const reject = this.#reject!;
      this.#resolve = undefined;
      this.#reject = undefined;
      if (settlement.ok) resolve(settlement.value);
      else reject(settlement.error);
    }
    const first = this.#first;
    const more = this.#more;
    this.#first = undefined;
    this.#more = undefined;
    first?.settled(settlement, this.#firstSlot);
    if (more === undefined) return;
    for (let index = 0; index < more.length; index += 2) (more[index] as Listener<TItem>).settled(settlement, more[index + 1] as number);
  }
}

/** `load()`'s listener: a promise's functions, and the signal it follows. */
export class SingleLoad<TItem, TChunk> implements Listener<TItem>, AbortListener {
  done = false;
  constructor(
    readonly pending: PendingLoad<TItem, TChunk>,
    readonly resolve: (value: TItem | null) => void,
    readonly reject: (error: unknown) => void,
    readonly signal: AbortSignal | undefined,
    readonly engine: WaiterHost<TItem, TChunk>,
  ) {}

  settled(settlement: Settlement<TItem>): void {
    if (this.done) return;
    this.done = true;
    if (this.signal !== undefined) this.engine.signals.remove(this.signal, this);
    if (settlement.ok) this.resolve(settlement.value);
    else this.reject(settlement.error);
  }

  aborted(reason: unknown): void {
    if (this.done) return;
    this.done = true;
    this.reject(reason);
    this.engine.abandon(this.pending);
  }
}

/** `loadMany()`'s listener: one for the whole call, whatever its length. */
export class ManyLoad<TItem, TChunk> implements Listener<TItem>, AbortListener {
  readonly results: (TItem | null | Error)[];
  /** Keys still waiting, plus one while `loadMany` is still filling `results`. */
  remaining = 1;
  done = false;
  /**
   * With a signal, the keys it waits for and their places, flat (`[pending, index, …]`): no object
   * per key, which a `loadAll` group of a thousand keys would hold for as long as they wait.
   */
  waitingFor: (PendingLoad<TItem, TChunk> | number)[] | undefined;

  constructor(
    length: number,
    readonly resolve: (results: (TItem | null | Error)[]) => void,
    readonly signal: AbortSignal | undefined,
    readonly engine: WaiterHost<TItem, TChunk>,
  ) {
    this.results = new Array<TItem | null | Error>(length);
    if (signal !== undefined) this.waitingFor = [];
  }

  settled(settlement: Settlement<TItem>, index: number): void {
    if (this.done) return;
    this.results[index] = settlement.ok ? settlement.value : settlement.error;
    if (--this.remaining === 0) this.finish();
  }

  aborted(reason: unknown): void {
    if (this.done) return;
    const error = toError(reason);
    const waitingFor = this.waitingFor!;
    for (let at = 0; at < waitingFor.length; at += 2) {
      const index = waitingFor[at + 1] as number;
      if (this.results[index] !== undefined) continue;
      this.results[index] = error;
      this.engine.abandon(waitingFor[at] as PendingLoad<TItem, TChunk>);
    }
    this.finish();
  }

  finish(): void {
    this.done = true;
    if (this.signal !== undefined) this.engine.signals.remove(this.signal, this);
    this.resolve(this.results);
  }
}

/** A rejection reason as an `Error`, for the places that hold errors (`loadMany`'s results). */
export function toError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}
