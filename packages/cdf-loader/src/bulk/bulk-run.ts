/**
 * One `loadAll` run: reads the source ahead, hands groups of identifiers to the loader and gives
 * the answers back in input order. It owns the read-ahead bound and the order; it never builds a
 * request, and knows the loader only as a `BulkLoader`.
 */
import { LoaderClosedError } from '../errors/loader-closed-error.js';
import type { LoadOptions } from '../options/options.js';
import type { BulkBounds } from './bulk-bounds.js';
import { type Group, newGroup } from './group.js';
import type { AnyIterable, BulkLoader, LoadAllResult } from './load-all.js';
import { Queue } from './queue.js';

/**
 * A pending read of the source that has not answered for this long, with no bulk request left
 * in flight, is a stall: the requests held for more keys go as they are, so a slow source still
 * gets its answers.
 */
const STALL_MS = 10;

/**
 * One `loadAll` run. A reader pulls identifiers from the source into groups of `maxBatchSize`
 * and hands each full group to the loader, while the consumer takes answers in input order from
 * the oldest group. In the background lane the loader holds a request that is not full until
 * this run lets it go, so bulk requests go out full: reading pauses once `bounds.keys` keys wait
 * for CDF (`bounds.keysBesideInteractive` while interactive loads come; cache hits and keys
 * already asked for cost nothing) and resumes as they settle, and
 * the held requests go when the source ends, stalls, or `bounds.lines` identifiers are read and
 * not yet yielded (the bound that keeps memory flat whatever the input holds).
 */
export class BulkRun<TIdentifier, TValue> {
  readonly #loader: BulkLoader<TIdentifier, TValue>;
  readonly #bounds: BulkBounds;
  readonly #signal: AbortSignal | undefined;
  /** Aborts every load still outstanding when the run ends early; follows the caller's signal. */
  readonly #stop = new AbortController();
  readonly #loadOptions: LoadOptions = { signal: this.#stop.signal };
  readonly #groups = new Queue<Group<TIdentifier, TValue>>();
  /** The newest group while it still takes identifiers. */
  #open: Group<TIdentifier, TValue> | undefined;
  /** Where the consumer is in the oldest group. */
  #index = 0;
  /** Identifiers read and not yet yielded. */
  #ahead = 0;
  readonly #source: AnyIterable<TIdentifier>;
  #iterator: Iterator<TIdentifier> | AsyncIterator<TIdentifier> | undefined;
  #async = false;
  /** An async `next()` of the source is pending. */
  #reading = false;
  /** The source said it is done, or threw: it is not to be closed. */
  #exhausted = false;
  #sourceError: { error: unknown } | undefined;
  #stopped = false;
  /** The consumer waiting for an identifier to be read, or the source to end. */
  #wake: (() => void) | undefined;
  /** Reads of the source answered, to tell a stall from a slow stream of reads. */
  #reads = 0;
  #stallTimer: NodeJS.Timeout | undefined;
  /** The consumer awaits an answer not yet known: what is read goes to the loader at once. */
  #consumerWaiting = false;
  /** New keys the groups not yet yielded queued in the background lane. */
  #keysAhead = 0;
  readonly #onAbort = (): void => {
    this.#stop.abort(this.#signal!.reason);
    this.#wakeConsumer();
  };

  constructor(loader: BulkLoader<TIdentifier, TValue>, source: AnyIterable<TIdentifier>, bounds: BulkBounds, signal: AbortSignal | undefined) {
    this.#loader = loader;
    this.#source = source;
    this.#bounds = bounds;
    this.#signal = signal;
  }

  /** Results handed out per turn of the event loop: one request's worth. */
  get batchSize(): number {
    return this.#loader.maxBatchSize;
  }

  /** Whether the loader's interactive loads are being sent now. */
  interactiveRecently(): boolean {
    return this.#loader.interactiveRecently();
  }

  /** The next result in input order is known: `take()` has it. */
  ready(): boolean {
    return this.#groups.peek()?.results !== undefined && this.#signal?.aborted !== true;
  }

  /**
   * Waits until the next result is known; `false` once the source is done and every result
   * taken. Throws the signal's reason after an abort, and what the source threw once the
   * results before it are taken.
   */
  async wait(): Promise<boolean> {
    this.#start();
    for (;;) {
      this.#signal?.throwIfAborted();
      const group = this.#groups.peek();
      if (group === undefined) {
        if (this.#sourceError !== undefined) throw this.#sourceError.error;
        if (this.#exhausted) return false;
        await new Promise<void>((resolve) => (this.#wake = resolve));
        continue;
      }
      if (group.results !== undefined) return true;
      if (group.flush !== undefined) {
        // The consumer caught up with the reader: what the source has at hand joins the group
        // before it goes, then it goes as it is rather than wait to be full.
        await endOfTick();
        group.flush?.();
      }
      if (this.#open !== undefined) {
        // What was read meanwhile may be what the held requests lack to go: it goes to the loader
        // now, as does all that is read while the consumer waits (see `#paused`).
        this.#consumerWaiting = true;
        this.#open.flush!();
        this.#read();
      }
      try {
        await group.settled;
      } finally {
        this.#consumerWaiting = false;
      }
      // A load the caller's signal aborted is not an answer: the loop above throws the reason.
    }
  }

  /** The next result, once `ready()` or `wait()` said it is known. */
  take(): LoadAllResult<TValue, TIdentifier> {
    const group = this.#groups.peek()!;
    const value = group.results![this.#index]!;
    const identifier = group.identifiers[this.#index]!;
    if (value instanceof LoaderClosedError) throw value;
    if (++this.#index === group.identifiers.length) {
      this.#groups.shift();
      this.#index = 0;
    }
    // Which of a group's identifiers were new keys is not known: each yielded one frees one
    // until the group's count is spent, so an input of new keys frees room one by one.
    if (group.newKeys > 0) {
      group.newKeys--;
      this.#keysAhead--;
    }
    this.#ahead--;
    this.#read();
    return value instanceof Error ? { identifier, error: value } : { identifier, item: value };
  }

  /**
   * Ends the run: loads still outstanding are aborted (a request goes only when no other caller
   * waits on it) and the source is closed with `return()`, unless it ended by itself. When a
   * read of the source is pending, its `return()` is not awaited, so a stalled source cannot
   * hold the caller's `break`.
   */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#signal?.removeEventListener('abort', this.#onAbort);
    clearTimeout(this.#stallTimer);
    if (!this.#stop.signal.aborted) this.#stop.abort(new DOMException('`loadAll` ended before this identifier was yielded', 'AbortError'));
    this.#groups.clear();
    this.#open = undefined;
    if (this.#exhausted || this.#iterator?.return === undefined) return;
    this.#exhausted = true;
    const closing = this.#iterator.return();
    if (!this.#reading) await closing;
    else if (closing instanceof Promise) closing.catch(() => undefined);
  }

  /** Gets the source's iterator on the first `next()`: nothing is read before the caller asks. */
  #start(): void {
    if (this.#iterator !== undefined || this.#stopped) return;
    this.#signal?.throwIfAborted();
    const source = this.#source as Partial<AsyncIterable<TIdentifier> & Iterable<TIdentifier>>;
    this.#async = typeof source[Symbol.asyncIterator] === 'function';
    this.#iterator = this.#async ? source[Symbol.asyncIterator]!() : source[Symbol.iterator]!();
    this.#signal?.addEventListener('abort', this.#onAbort, { once: true });
    this.#read();
  }

  /** Reads while there is room: at once from a sync source, in the background from an async one. */
  #read(): void {
    if (this.#reading || this.#exhausted || this.#stopped) return;
    if (this.#async) {
      void this.#readAsync(this.#iterator as AsyncIterator<TIdentifier>);
      return;
    }
    const iterator = this.#iterator as Iterator<TIdentifier>;
    try {
      while (this.#hasRoom()) {
        const step = iterator.next();
        if (step.done === true) {
          this.#sourceEnded();
          break;
        }
        this.#add(step.value);
      }
    } catch (error) {
      this.#failSource(error);
    }
    this.#paused();
    this.#wakeConsumer();
  }

  async #readAsync(iterator: AsyncIterator<TIdentifier>): Promise<void> {
    this.#reading = true;
    try {
      while (this.#hasRoom() && !this.#stopped) {
        const next = iterator.next();
        this.#watchForStall();
        const step = await next;
        this.#reads++;
        if (this.#stopped) return;
        if (step.done === true) {
          this.#sourceEnded();
          return;
        }
        this.#add(step.value);
        this.#wakeConsumer();
      }
    } catch (error) {
      if (!this.#stopped) this.#failSource(error);
    } finally {
      this.#reading = false;
      if (!this.#stopped) this.#paused();
      this.#wakeConsumer();
    }
  }

  /** Room to read one more: the open group's identifiers count as new keys, since the loader has not seen them yet. */
  #hasRoom(): boolean {
    if (this.#ahead >= this.#bounds.lines) return false;
    const keys = this.#keysAhead + (this.#open?.identifiers.length ?? 0);
    return keys < this.#bounds.keysBesideInteractive || (keys < this.#bounds.keys && !this.#loader.interactiveRecently());
  }

  /**
   * Reading stopped. Past the bound on identifiers read, the held requests go as they are (what
   * was read may all be waiting on them). Past the bound on keys, reading resumes as answers are
   * yielded, and the open group goes to the loader once full, or once the consumer waits. That
   * cannot wait on a held request: it and the open group each hold fewer than `maxBatchSize`
   * keys, all read after those of full requests in flight, and the bound is at least twice that,
   * so the oldest group's answers come from requests sent; and once the consumer waits, all that
   * is read goes to the loader at once.
   */
  #paused(): void {
    if (this.#exhausted || this.#stopped) return;
    if (this.#ahead >= this.#bounds.lines) {
      this.#letGo();
      return;
    }
    const open = this.#open;
    // Not while the consumer is busy: at the bound on keys every result yielded frees room for
    // one more read, and a group for each cost its promise, `loadMany` and results (B8: a third
    // of a million groups over a million lines, living long enough to be promoted and collected
    // by full GCs). The open group goes once full (see `#add`), when the consumer waits for an
    // answer (it may be what a held request lacks), or when the consumer reaches it.
    if (open === undefined || !this.#consumerWaiting) return;
    open.flush!();
    // The open group's identifiers held room that its cache hits and repeats do not take.
    if (this.#hasRoom()) queueMicrotask(() => this.#read());
  }

  /**
   * Arms one timer at a time: a read still pending when it fires, and no read answered since, is
   * a stall. It lets the held requests go only once no bulk request is queued or in flight: while
   * CDF has work, holding them costs nothing, and a source slower than CDF still fills them.
   */
  #watchForStall(): void {
    if (this.#stallTimer !== undefined || this.#bounds.lane === 'interactive') return;
    const seen = this.#reads;
    this.#stallTimer = setTimeout(() => {
      this.#stallTimer = undefined;
      if (!this.#reading) return;
      if (this.#reads === seen && !this.#loader.busy()) this.#letGo();
      else this.#watchForStall();
    }, STALL_MS);
    this.#stallTimer.unref();
  }

  /** What was read goes to the loader, and its held requests go out, full or not. */
  #letGo(): void {
    this.#open?.flush?.();
    if (this.#bounds.lane === 'background') this.#loader.sendHeld();
  }

  /**
   * Puts an identifier in the open group. A full group goes to the loader at once; one not full
   * waits for more until the source ends or the consumer needs it, so requests stay full.
   */
  #add(identifier: TIdentifier): void {
    const group = this.#open ?? this.#openGroup();
    group.identifiers.push(identifier);
    this.#ahead++;
    if (group.identifiers.length >= this.#loader.maxBatchSize) group.flush!();
  }

  #openGroup(): Group<TIdentifier, TValue> {
    const group = newGroup<TIdentifier, TValue>((flushed) => {
      if (this.#open === flushed) this.#open = undefined;
      const before = this.#loader.waiting();
      const answered = this.#loader.loadMany(flushed.identifiers, this.#loadOptions, this.#bounds.lane);
      // `loadMany` queues its keys at the call: what it added is what this group costs.
      flushed.newKeys = Math.max(0, this.#loader.waiting() - before);
      this.#keysAhead += flushed.newKeys;
      return answered;
    });
    this.#open = group;
    this.#groups.push(group);
    return group;
  }

  /** Nothing more will come: the last group and the held requests go as they are. */
  #sourceEnded(): void {
    this.#exhausted = true;
    this.#letGo();
  }

  /** The source threw: what was read before is still answered, then the iteration throws this. */
  #failSource(error: unknown): void {
    this.#sourceError = { error };
    this.#sourceEnded();
  }

  #wakeConsumer(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}

/** Resolves once the promise jobs queued now have run: a burst of reads has landed by then. */
function endOfTick(): Promise<void> {
  return new Promise((resolve) => process.nextTick(resolve));
}
