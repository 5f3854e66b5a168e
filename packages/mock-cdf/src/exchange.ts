import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Answer } from './answers.js';
import { wait, type Wait } from './clock.js';
import type { RequestLogEntry } from './request-log.js';

/** A slow body is sent in this many pieces. */
const SLOW_BODY_PIECES = 5;

/**
 * One request and its answer, from arrival until its connection closes. The waits it schedules
 * (latency, delays, the pieces of a slow body) end with it: nothing fires after it closed or
 * after the fake began to close.
 */
export class Exchange {
  /** A `drop` fault destroyed the connection (so its close is not a client abort). */
  dropped = false;
  readonly #waits = new Set<Wait>();
  #stopped = false;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly entry: RequestLogEntry,
  ) {}

  /** Runs `then` after `ms`, or right away (no timer) when `ms` is 0. */
  after(ms: number, then: () => void): void {
    // The connection may have closed while the body was read or decompressed.
    if (this.res.destroyed || this.#stopped) return;
    if (ms <= 0) return then();
    const handle = wait(ms, () => {
      this.#waits.delete(handle);
      then();
    });
    this.#waits.add(handle);
  }

  /** Cancels every pending wait; later `after` calls do nothing. */
  stop(): void {
    this.#stopped = true;
    for (const handle of this.#waits) handle.cancel();
    this.#waits.clear();
  }

  /** Sends `answer` and records it in the entry; with `slowBodyMs` > 0, headers first, then the body in pieces spread over that long. */
  send(answer: Answer, slowBodyMs: number): void {
    const { res, entry } = this;
    entry.status = answer.status;
    entry.itemsReturned = answer.itemsReturned;
    const body = Buffer.from(answer.body);
    res.writeHead(answer.status, { 'content-type': answer.contentType, 'content-length': body.length, ...answer.headers });
    if (slowBodyMs <= 0) {
      res.end(body);
      return;
    }
    res.flushHeaders();
    const step = slowBodyMs / SLOW_BODY_PIECES;
    const size = Math.ceil(body.length / SLOW_BODY_PIECES);
    const writePiece = (piece: number): void => {
      const chunk = body.subarray(piece * size, (piece + 1) * size);
      if (piece === SLOW_BODY_PIECES - 1) {
        res.end(chunk);
        return;
      }
      res.write(chunk);
      this.after(step, () => writePiece(piece + 1));
    };
    this.after(step, () => writePiece(0));
  }

  /** Destroys the connection without an answer. */
  drop(): void {
    this.dropped = true;
    this.res.destroy();
  }
}

/** The exchanges whose connection is open, so that closing the fake can stop their waits and wait for their close. */
export class OpenExchanges {
  readonly #open = new Set<Exchange>();
  #closing = false;

  /** True once `closeAll()` was called: connections closing from then on are not client aborts. */
  get closing(): boolean {
    return this.#closing;
  }

  /** An exchange for a request that just arrived; it stops when its connection closes. */
  open(req: IncomingMessage, res: ServerResponse, entry: RequestLogEntry): Exchange {
    const exchange = new Exchange(req, res, entry);
    this.#open.add(exchange);
    res.once('close', () => {
      this.#open.delete(exchange);
      exchange.stop();
    });
    if (this.#closing) exchange.stop();
    return exchange;
  }

  /** Stops every exchange; resolves once the close of each open connection was handled (close it meanwhile). */
  closeAll(): Promise<void> {
    this.#closing = true;
    const closed = [...this.#open].map((exchange) => {
      exchange.stop();
      return new Promise<void>((resolve) => exchange.res.once('close', () => resolve()));
    });
    return Promise.all(closed).then(() => undefined);
  }
}
