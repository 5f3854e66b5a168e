/**
 * One `loadAll` run: reads the source ahead, hands groups of identifiers to the loader and gives
 * the answers back in input order. It owns the read-ahead bound and the order; it never builds a
 * request, and knows the loader only as a `BulkLoader`.
 */
import { LoaderClosedError } from '../errors/loader-closed-error.js';
import type { LoadOptions } from '../options/options.js';
import type { AnyIterable, BulkLoader, LoadAllResult } from './load-all.js';
import { Queue } from './queue.js';

/**
 * Identifiers read together, handed to the loader in one `loadMany` (one listener and one
 * promise for all of them, rather than one each).
 */
interface Group<TIdentifier, TValue> {
  readonly identifiers: TIdentifier[];
  /** Resolves when every identifier of the group has its answer in `results`. */
  readonly settled: Promise<void>;
  /** Hands the group to the loader (once); it takes no more identifiers after. */
  flush: (() => void) | undefined;
  /** Each identifier's value or error, in place, once `settled` resolved. */
  results: (TValue | Error)[] | undefined;
}

/**
 * One `loadAll` run. A reader pulls identifiers from the source into groups of `maxBatchSize`
 * and hands each full group to the loader (which batches them into requests), while the
 * consumer takes answers in input order from the oldest group. A group not yet full goes when
 * the source ends or when the consumer reaches it, so requests are full while the source keeps
 * up, and a slow source still gets each answer as soon as it can. Reading and answering go on
 * side by side; the bound on identifiers read and not yet yielded is what keeps memory flat.
 */
export class BulkRun<TIdentifier, TValue> {
  readonly #loader: BulkLoader<TIdentifier, TValue>;
  readonly #readAhead: number;
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
  readonly #onAbort = (): void => {
    this.#stop.abort(this.#signal!.reason);
    this.#wakeConsumer();
  };

  constructor(loader: BulkLoader<TIdentifier, TValue>, source: AnyIterable<TIdentifier>, readAhead: number, signal: AbortSignal | undefined) {
    this.#loader = loader;
    this.#source = source;
    this.#readAhead = readAhead;
    this.#signal = signal;
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
      await group.settled;
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
      while (this.#ahead < this.#readAhead) {
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
    this.#wakeConsumer();
  }

  async #readAsync(iterator: AsyncIterator<TIdentifier>): Promise<void> {
    this.#reading = true;
    try {
      while (this.#ahead < this.#readAhead && !this.#stopped) {
        const step = await iterator.next();
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
      this.#wakeConsumer();
    }
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
    let flush!: () => void;
    const settled = new Promise<void>((resolve) => {
      flush = () => {
        group.flush = undefined;
        if (this.#open === group) this.#open = undefined;
        void this.#loader.loadMany(group.identifiers, this.#loadOptions).then((results) => {
          group.results = results;
          resolve();
        });
      };
    });
    const group: Group<TIdentifier, TValue> = { identifiers: [], settled, flush, results: undefined };
    this.#open = group;
    this.#groups.push(group);
    return group;
  }

  /** Nothing more will come: the last group goes as it is. */
  #sourceEnded(): void {
    this.#exhausted = true;
    this.#open?.flush?.();
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
