import { createHash } from 'node:crypto';
import { lastErrorOf, type ErrorEmitter } from './client-errors.js';

/** A pub/sub message listener, as node-redis calls it. */
export type MessageListener = (message: string, channel: string) => void;

/**
 * What this package needs of a node-redis (v5) connection used for pub/sub: a client from
 * `createClient()`, or the `duplicate()` of one.
 */
export interface RedisSubscriber {
  readonly isOpen: boolean;
  connect(): Promise<unknown>;
  subscribe(channel: string, listener: MessageListener): Promise<unknown>;
  unsubscribe(channel: string, listener: MessageListener): Promise<unknown>;
  on(event: 'error', listener: (error: Error) => void): unknown;
  unref(): void;
  destroy(): void;
}

/**
 * What this package needs of the node-redis (v5) client the user passes: a connected client from
 * `createClient()`. Typed by shape, so clients with any modules, scripts or RESP version fit.
 */
export interface RedisClient extends ErrorEmitter {
  /** False while the client is disconnected or reconnecting: calls then fail at once. */
  readonly isReady: boolean;
  sendCommand(args: string[], options: { abortSignal: AbortSignal }): Promise<unknown>;
  /** A new, unconnected client with the same options: pub/sub needs a connection of its own. */
  duplicate(): RedisSubscriber;
}

/** The options both adapters take to reach Redis. */
export interface RedisConnectionOptions {
  /**
   * A connected node-redis v5 client (`await createClient({ url }).connect()`). It is never closed
   * here. Calls fail at once while it is not ready, instead of waiting in its offline queue. The
   * adapter listens to its `'error'` events itself, so a Redis that goes away never ends the
   * process, whether or not you listen too.
   */
  client: RedisClient;
  /**
   * The longest a Redis call may take, in milliseconds, before it fails: the loader then takes a
   * read as a miss, skips a write, or goes on under its local limit. Default 100.
   */
  timeoutMs?: number;
  /**
   * A connected client for pub/sub, which takes a connection of its own. Default: a `duplicate()`
   * of `client`, opened on first use and closed by the adapter's `close()`.
   */
  subscriber?: RedisSubscriber;
}

/** `RedisConnectionOptions`, checked and with defaults. */
export interface RedisConnection {
  client: RedisClient;
  timeoutMs: number;
  subscriber: RedisSubscriber | undefined;
}

/**
 * A Lua script, run with EVALSHA (falling back to EVAL once after a Redis restart or failover
 * forgot it), in one round trip that fails fast when the client is not ready and within
 * `timeoutMs` when Redis does not answer.
 */
export class RedisScript {
  readonly #source: string;
  readonly #sha: string;

  constructor(source: string) {
    this.#source = source;
    this.#sha = createHash('sha1').update(source).digest('hex');
  }

  async run(client: RedisClient, keys: readonly string[], args: readonly string[], timeoutMs: number): Promise<unknown> {
    // node-redis would queue the call until it reconnects; a cache that waits is worse than a miss.
    if (!client.isReady) {
      throw new Error('Redis is not reachable: the client is not connected (it is closed or reconnecting).', {
        cause: lastErrorOf(client),
      });
    }
    return within(timeoutMs, (signal) => this.#send(client, [String(keys.length), ...keys, ...args], signal));
  }

  async #send(client: RedisClient, keysAndArgs: string[], abortSignal: AbortSignal): Promise<unknown> {
    try {
      return await client.sendCommand(['EVALSHA', this.#sha, ...keysAndArgs], { abortSignal });
    } catch (error) {
      if (!(error instanceof Error && error.message.startsWith('NOSCRIPT'))) throw error;
      return client.sendCommand(['EVAL', this.#source, ...keysAndArgs], { abortSignal });
    }
  }
}

/**
 * What `start` gives, or a rejection once `timeoutMs` have passed. `start`'s signal aborts then:
 * node-redis drops a call it has not written yet; one already written that Redis does not answer
 * is what the race is for, since node-redis would wait for it forever.
 *
 * The time counted is Redis's, not this process's: the clock starts once node-redis has written
 * the call (on the next turn of the event loop), and when it runs out, answers that arrived while
 * the event loop was busy are read before the call is given up. A long synchronous task or a
 * starved CPU thus neither counts a working Redis as down nor drops a release on the way.
 */
export async function within<T>(timeoutMs: number, start: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const answer = start(controller.signal);
  let timer: NodeJS.Timeout | undefined;
  let immediate: NodeJS.Immediate | undefined;
  const timeout = new Promise<never>((_, reject) => {
    const expire = (): void => {
      controller.abort();
      reject(new Error(`Redis did not answer within ${timeoutMs} ms (\`timeoutMs\`).`));
    };
    // node-redis writes in a setImmediate of its own, queued before this one; a timer that fires
    // late runs before the poll phase that reads answers already received, so it defers to it.
    immediate = setImmediate(() => {
      timer = setTimeout(() => (immediate = setImmediate(expire)), timeoutMs);
    });
  });
  try {
    return await Promise.race([answer, timeout]);
  } finally {
    clearImmediate(immediate);
    clearTimeout(timer);
  }
}
