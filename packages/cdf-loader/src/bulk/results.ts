/**
 * The iterator `loadAll` returns: a run's results in input order, with its pacing. Written by
 * hand rather than as an async generator: most results are known when they are asked for (they
 * come a request at a time), and a generator's `yield` costs an await and several promise jobs
 * for each; here a known result costs one settled promise.
 */
import type { BulkRun } from './bulk-run.js';
import type { LoadAllResult } from './load-all.js';

type Step<TValue, TIdentifier> = IteratorResult<LoadAllResult<TValue, TIdentifier>, void>;

const DONE: IteratorReturnResult<void> = Object.freeze({ done: true, value: undefined });

export class LoadAllResults<TValue, TIdentifier> implements AsyncGenerator<LoadAllResult<TValue, TIdentifier>, void, undefined> {
  readonly #bulk: BulkRun<TIdentifier, TValue>;
  #done = false;
  /** The last call that has not settled; calls made meanwhile run after it, as a generator's are queued. */
  #busy: Promise<unknown> | undefined;
  /** Results handed out since the last turn of the event loop. */
  #sinceTurn = 0;
  #sliceStart = performance.now();

  constructor(bulk: BulkRun<TIdentifier, TValue>) {
    this.#bulk = bulk;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.return();
  }

  next(): Promise<Step<TValue, TIdentifier>> {
    if (this.#busy !== undefined) return this.#queue(() => this.next());
    if (this.#done) return Promise.resolve(DONE);
    if (this.#sinceTurn < this.#bulk.batchSize && this.#bulk.ready()) {
      try {
        const value = this.#bulk.take();
        this.#sinceTurn++;
        return Promise.resolve({ done: false, value });
      } catch (error) {
        return this.#track(this.#fail(error));
      }
    }
    return this.#track(this.#slowNext());
  }

  return(): Promise<IteratorReturnResult<void>> {
    if (this.#busy !== undefined) return this.#queue(() => this.return());
    if (this.#done) return Promise.resolve(DONE);
    this.#done = true;
    return this.#track(this.#bulk.stop().then(() => DONE));
  }

  throw(error: unknown): Promise<Step<TValue, TIdentifier>> {
    if (this.#busy !== undefined) return this.#queue(() => this.throw(error));
    if (this.#done) return Promise.reject(error);
    return this.#track(this.#fail(error));
  }

  /**
   * After each request's worth of results, a turn of the event loop lets other work in; while
   * interactive loads come, a pause as long as that request's worth took, so the consumer's own
   * work takes at most half the loop (bulk's requests are paced by the lane queue: the read-ahead
   * keeps the next one full and waiting whatever the consumer does). Then the next result, once
   * it is known.
   */
  async #slowNext(): Promise<Step<TValue, TIdentifier>> {
    const bulk = this.#bulk;
    try {
      if (this.#sinceTurn >= bulk.batchSize) {
        const pauseMs = bulk.interactiveRecently() ? performance.now() - this.#sliceStart : 0;
        await new Promise((resolve) => (pauseMs > 0 ? setTimeout(resolve, pauseMs) : setImmediate(resolve)));
        this.#sinceTurn = 0;
        this.#sliceStart = performance.now();
      }
      if (!bulk.ready() && !(await bulk.wait())) {
        this.#done = true;
        await bulk.stop();
        return DONE;
      }
      const value = bulk.take();
      this.#sinceTurn++;
      return { done: false, value };
    } catch (error) {
      return this.#fail(error);
    }
  }

  /** The run ends with `error`: what it holds is let go, then the call rejects with it. */
  async #fail(error: unknown): Promise<never> {
    this.#done = true;
    await this.#bulk.stop();
    throw error;
  }

  #track<T>(call: Promise<T>): Promise<T> {
    const settled = (): void => {
      if (this.#busy === busy) this.#busy = undefined;
    };
    const busy = call.then(settled, settled);
    this.#busy = busy;
    return call;
  }

  #queue<T>(call: () => Promise<T>): Promise<T> {
    return this.#busy!.then(call);
  }
}
