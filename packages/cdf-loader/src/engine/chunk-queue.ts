/**
 * The queue of chunks and its dispatch: which chunk a new key goes to, and when chunks are
 * handed to be sent. It owns the open chunks, the dispatch timer and request scopes' batches;
 * it never looks inside a chunk's keys, and knows of sending only the function it is given.
 */
import type { Telemetry } from '../telemetry/telemetry.js';
import type { CanonicalKey } from '../identifiers/identifiers.js';
import { Chunk, type Pending } from './chunk.js';
import type { Lane } from './outgoing-request.js';

const resolvedPromise = Promise.resolve();

export class ChunkQueue<TItem> {
  /** Chunks handed to `send` and not yet done, with the promise of their sending. */
  readonly inFlight = new Map<Chunk<TItem>, Promise<void>>();
  /** Chunks not yet sent, oldest first; new keys go to the last one of their lane while it has room. */
  readonly #open: Chunk<TItem>[] = [];
  readonly #last: Record<Lane, Chunk<TItem> | undefined> = { interactive: undefined, background: undefined };
  readonly #maxBatchSize: number;
  readonly #batchWindowMs: number;
  readonly #telemetry: Telemetry;
  readonly #send: (chunk: Chunk<TItem>) => Promise<void>;
  #dispatchTimer: NodeJS.Timeout | undefined;
  #dispatchScheduled = false;
  /** Request scopes' batches, run at the start of the next dispatch; see `scheduleBatch`. */
  #scopeBatches: (() => void)[] = [];

  constructor(maxBatchSize: number, batchWindowMs: number, telemetry: Telemetry, send: (chunk: Chunk<TItem>) => Promise<void>) {
    this.#maxBatchSize = maxBatchSize;
    this.#batchWindowMs = batchWindowMs;
    this.#telemetry = telemetry;
    this.#send = send;
  }

  /**
   * Puts a key in the chunk new keys of `lane` go to and returns that chunk. A held background
   * chunk it fills goes at the next dispatch.
   */
  add(lane: Lane, key: CanonicalKey, pending: Pending<TItem>): Chunk<TItem> {
    const chunk = this.#openChunk(lane);
    chunk.loads.set(key, pending);
    if (chunk.held && chunk.loads.size >= this.#maxBatchSize) this.#scheduleDispatch();
    return chunk;
  }

  /** The chunk new keys of `lane` go to: the last open one of that lane while it has room, else a new one. */
  #openChunk(lane: Lane): Chunk<TItem> {
    let chunk = this.#last[lane];
    if (chunk === undefined || chunk.state === 'sent' || chunk.loads.size >= this.#maxBatchSize) {
      chunk = new Chunk<TItem>(lane);
      this.#open.push(chunk);
      this.#last[lane] = chunk;
      this.#scheduleDispatch();
    }
    return chunk;
  }

  /** Lets every held background chunk go at the next dispatch, full or not. */
  releaseHeld(): void {
    let released = false;
    for (const chunk of this.#open) {
      if (!chunk.held) continue;
      chunk.held = false;
      released = true;
    }
    if (released) this.#scheduleDispatch();
  }

  /**
   * Runs `batch` (a request scope's DataLoader batch) at the start of the next dispatch, so the
   * scope's keys join the chunks sent in that same dispatch instead of waiting for one more
   * tick: DataLoader's scheduling and the engine's meet.
   */
  scheduleBatch(batch: () => void): void {
    this.#scopeBatches.push(batch);
    this.#scheduleDispatch();
  }

  /** The chunk takes no more keys: its request is about to go out. */
  close(chunk: Chunk<TItem>): void {
    if (chunk.state === 'sent') return;
    chunk.state = 'sent';
    this.#open.splice(this.#open.indexOf(chunk), 1);
    if (chunk.loads.size > 0) this.#telemetry.batch(chunk.loads.size);
  }

  /** The earliest invalidation stamp of a request in flight; `Infinity` for none. */
  oldestSentAt(): number {
    let oldest = Number.POSITIVE_INFINITY;
    // A chunk not yet looked up or sent will be asked after every invalidation so far.
    for (const chunk of this.inFlight.keys()) if (chunk.sentAt > 0) oldest = Math.min(oldest, chunk.sentAt);
    return oldest;
  }

  /**
   * Stops dispatching: returns the chunks not yet sent (closed, for their loads to be rejected)
   * and the request scopes' batches still waiting (to be run, so their loads reject too).
   */
  stop(): { unsent: Chunk<TItem>[]; batches: (() => void)[] } {
    clearTimeout(this.#dispatchTimer);
    const unsent = this.#open.splice(0);
    for (const chunk of unsent) chunk.state = 'sent';
    const batches = this.#scopeBatches;
    this.#scopeBatches = [];
    return { unsent, batches };
  }

  /**
   * Hands new chunks to `send` once the current burst of loads is over. With no batch window
   * this is DataLoader's timing: after the promise jobs already queued have run, so loads issued
   * after awaiting resolved promises still join, then a `process.nextTick` hop, so the burst
   * ends before anything is sent. Until its slot frees up, a queued chunk keeps taking new keys
   * (see `openChunk`): that is what keeps requests full when the limit is reached.
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
        if (chunk.state !== 'collecting' || (chunk.held && chunk.loads.size < this.#maxBatchSize)) continue;
        chunk.held = false;
        chunk.state = 'queued';
        this.inFlight.set(chunk, chunk.context.runInAsyncScope(this.#send, undefined, chunk));
      }
    };
    if (this.#batchWindowMs > 0) this.#dispatchTimer = setTimeout(dispatch, this.#batchWindowMs);
    else void resolvedPromise.then(() => process.nextTick(dispatch));
  }
}
