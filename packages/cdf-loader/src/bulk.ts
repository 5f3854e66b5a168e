import { checkCount, checkKnownKeys, checkObject } from './check.js';
import { describeValue } from './describe-value.js';
import { LoaderClosedError } from './errors/loader-closed-error.js';
import type { LoadOptions } from './options.js';

/** Anything `for await` can read: an array, a generator, an async generator, a Node stream. */
export type AnyIterable<T> = Iterable<T> | AsyncIterable<T>;

/**
 * What `loadAll` yields for one identifier of its input, in input order: the value a `load` of
 * it resolves to (the item, or `null` when CDF has none), or the error such a load rejects with
 * (`InvalidIdentifierError`, `NotFoundError` with `missing: 'error'`, `CdfApiError`,
 * `TokenProviderError`). Test `error === undefined` (or `'item' in result`) to tell them apart.
 * @typeParam TValue What a load resolves to: the item type, with `null` unless `missing: 'error'`.
 * @typeParam TIdentifier The identifier type of the resource.
 */
export type LoadAllResult<TValue, TIdentifier> =
  | { identifier: TIdentifier; item: TValue; error?: undefined }
  | { identifier: TIdentifier; item?: undefined; error: Error };

/** Options of `loadAll`. */
export interface LoadAllOptions extends LoadOptions {
  /**
   * byids requests to keep busy. `loadAll` reads at most `2 × concurrency × maxBatchSize`
   * identifiers ahead of what it has yielded: enough for `concurrency` full requests in flight
   * and as many full ones waiting for a slot, so a slot that frees up is taken at once.
   * @default the loader's `maxConcurrency` (the maximum of its `limiter`)
   */
  concurrency?: number;
}

/** What `loadAll` needs from its loader: per-key loads, and how big and how many its requests are. */
export interface BulkLoader<TIdentifier, TValue> {
  load(identifier: TIdentifier, options: LoadOptions): Promise<TValue>;
  readonly maxBatchSize: number;
  readonly maxConcurrency: number;
}

/** Requests' worth of identifiers read ahead per request kept busy: one in flight, one waiting. */
const CHUNKS_PER_SLOT = 2;

/**
 * Checks `loadAll`'s arguments at the call, then returns the generator that does the work.
 * @throws {TypeError} for input that is not iterable, or an option out of its range.
 */
export function loadAll<TIdentifier, TValue>(
  loader: BulkLoader<TIdentifier, TValue>,
  identifiers: AnyIterable<TIdentifier>,
  options: LoadAllOptions = {},
): AsyncGenerator<LoadAllResult<TValue, TIdentifier>, void, undefined> {
  if (!isIterable(identifiers)) {
    throw new TypeError(`\`loadAll\` takes an iterable or async iterable of identifiers (an array, a generator, a stream), got ${describeValue(identifiers)}.`);
  }
  checkKnownKeys('', checkObject('options', options), ['signal', 'concurrency']);
  const { signal } = options;
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw new TypeError(`\`signal\` must be an AbortSignal, got ${describeValue(signal)}.`);
  const concurrency = checkCount('concurrency', options.concurrency ?? loader.maxConcurrency, 1);
  return run(new BulkRun(loader, identifiers, CHUNKS_PER_SLOT * concurrency * loader.maxBatchSize, signal));
}

async function* run<TIdentifier, TValue>(bulk: BulkRun<TIdentifier, TValue>): AsyncGenerator<LoadAllResult<TValue, TIdentifier>, void, undefined> {
  try {
    for (let result = await bulk.next(); result !== undefined; result = await bulk.next()) yield result;
  } finally {
    await bulk.stop();
  }
}

/** One identifier read and handed to the loader; `answer` settles with its result, never rejects. */
interface Entry<TIdentifier, TValue> {
  answer: Promise<LoadAllResult<TValue, TIdentifier>>;
}

/**
 * One `loadAll` run. A reader pulls identifiers from the source into a bounded queue, starting
 * each one's load as it comes (the loader batches them), while the consumer takes answers from
 * the queue's head in input order. Reading and answering go on side by side, so a slow source
 * never holds back answers already known, and the queue's bound is what keeps memory flat.
 */
class BulkRun<TIdentifier, TValue> {
  readonly #loader: BulkLoader<TIdentifier, TValue>;
  readonly #readAhead: number;
  readonly #signal: AbortSignal | undefined;
  /** Aborts every load still outstanding when the run ends early; follows the caller's signal. */
  readonly #stop = new AbortController();
  readonly #loadOptions: LoadOptions = { signal: this.#stop.signal };
  readonly #queue = new Queue<Entry<TIdentifier, TValue>>();
  readonly #source: AnyIterable<TIdentifier>;
  #iterator: Iterator<TIdentifier> | AsyncIterator<TIdentifier> | undefined;
  #async = false;
  /** An async `next()` of the source is pending. */
  #reading = false;
  /** The source said it is done, or threw: it is not to be closed. */
  #exhausted = false;
  #sourceError: { error: unknown } | undefined;
  #stopped = false;
  /** The consumer waiting for the queue to get an entry, or the source to end. */
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

  /** The next result in input order; `undefined` once the source is done and every result yielded. */
  async next(): Promise<LoadAllResult<TValue, TIdentifier> | undefined> {
    this.#start();
    for (;;) {
      this.#signal?.throwIfAborted();
      const head = this.#queue.peek();
      if (head === undefined) {
        if (this.#sourceError !== undefined) throw this.#sourceError.error;
        if (this.#exhausted) return undefined;
        await new Promise<void>((resolve) => (this.#wake = resolve));
        continue;
      }
      const result = await head.answer;
      // A load the caller's signal aborted is not an answer: the iteration throws the reason.
      this.#signal?.throwIfAborted();
      if (result.error instanceof LoaderClosedError) throw result.error;
      this.#queue.shift();
      this.#read();
      return result;
    }
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
    this.#queue.clear();
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

  /** Reads while the queue has room: at once from a sync source, in the background from an async one. */
  #read(): void {
    if (this.#reading || this.#exhausted || this.#stopped) return;
    if (this.#async) {
      void this.#readAsync(this.#iterator as AsyncIterator<TIdentifier>);
      return;
    }
    const iterator = this.#iterator as Iterator<TIdentifier>;
    try {
      while (this.#queue.size < this.#readAhead) {
        const step = iterator.next();
        if (step.done === true) {
          this.#exhausted = true;
          break;
        }
        this.#push(step.value);
      }
    } catch (error) {
      this.#failSource(error);
    }
    this.#wakeConsumer();
  }

  async #readAsync(iterator: AsyncIterator<TIdentifier>): Promise<void> {
    this.#reading = true;
    try {
      while (this.#queue.size < this.#readAhead && !this.#stopped) {
        const step = await iterator.next();
        if (this.#stopped) return;
        if (step.done === true) {
          this.#exhausted = true;
          return;
        }
        this.#push(step.value);
        this.#wakeConsumer();
      }
    } catch (error) {
      if (!this.#stopped) this.#failSource(error);
    } finally {
      this.#reading = false;
      this.#wakeConsumer();
    }
  }

  #push(identifier: TIdentifier): void {
    let answer: Promise<LoadAllResult<TValue, TIdentifier>>;
    try {
      answer = this.#loader.load(identifier, this.#loadOptions).then(
        (item) => ({ identifier, item }),
        (error: unknown) => ({ identifier, error: error instanceof Error ? error : new Error(String(error)) }),
      );
    } catch (error) {
      answer = Promise.resolve({ identifier, error: error as Error });
    }
    this.#queue.push({ answer });
  }

  /** The source threw: what was read before is still answered, then the iteration throws this. */
  #failSource(error: unknown): void {
    this.#exhausted = true;
    this.#sourceError = { error };
  }

  #wakeConsumer(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}

function isIterable(value: unknown): value is AnyIterable<unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<AsyncIterable<unknown> & Iterable<unknown>>;
  return typeof candidate[Symbol.asyncIterator] === 'function' || typeof candidate[Symbol.iterator] === 'function';
}

/** A FIFO with O(1) `shift`: an array whose consumed front is dropped once it is half the array. */
class Queue<T> {
  #items: (T | undefined)[] = [];
  #head = 0;

  get size(): number {
    return this.#items.length - this.#head;
  }

  push(item: T): void {
    this.#items.push(item);
  }

  peek(): T | undefined {
    return this.#items[this.#head];
  }

  shift(): void {
    this.#items[this.#head++] = undefined;
    if (this.#head * 2 >= this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
  }

  clear(): void {
    this.#items = [];
    this.#head = 0;
  }
}
