import { createHash } from 'node:crypto';
import { lastErrorOf, type ErrorEmitter } from './client-errors.js';

/** How long a replica counts as one of the fleet after Redis last saw it (a turn of the rate, a slot of the budget), in ms. */
export const REPLICA_WINDOW_MS = 60_000;

/**
 * A pub/sub message listener, as node-redis types it: this package never asks for buffers, so it
 * is called with strings.
 */
export type MessageListener = (message: string | Buffer, channel: string | Buffer) => void;

/** What this package needs of a connection to listen on a channel: node-redis clients and clusters have it. */
export interface PubSubConnection {
  subscribe(channel: string, listener: MessageListener): Promise<unknown>;
  unsubscribe(channel: string, listener: MessageListener): Promise<unknown>;
}

/**
 * What this package needs of a node-redis (v5) connection used for pub/sub: a client from
 * `createClient()`, or the `duplicate()` of one.
 */
export interface RedisSubscriber extends PubSubConnection {
  readonly isOpen: boolean;
  connect(): Promise<unknown>;
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

/**
 * What this package needs of a node-redis (v5) Redis Cluster the user passes: a connected cluster
 * from `createCluster()`. It routes each call by the call's first key, and keeps a pub/sub
 * connection of its own, on which this package listens (a message published on any master reaches
 * every node of a cluster).
 */
export interface RedisCluster extends ErrorEmitter, PubSubConnection {
  /** False until `connect()` resolved, and after `close()` or `destroy()`. */
  readonly isOpen: boolean;
  /** The cluster's masters: what tells a cluster from a client. */
  readonly masters: readonly unknown[];
  sendCommand(firstKey: string | undefined, isReadonly: boolean | undefined, args: string[], options: { abortSignal: AbortSignal }): Promise<unknown>;
}

/** The options every adapter of this package takes to reach Redis. */
export interface RedisConnectionOptions {
  /**
   * A connected node-redis v5 client (`await createClient({ url }).connect()`) or Redis Cluster
   * (`await createCluster({ rootNodes }).connect()`). It is never closed here. On a client, calls
   * fail at once while it is not ready, instead of waiting in its offline queue; on a cluster, a
   * call to a master that is away fails after `timeoutMs`. The adapter listens to its `'error'`
   * events itself, so a Redis that goes away never ends the process, whether or not you listen too.
   */
  client: RedisClient | RedisCluster;
  /**
   * The longest a Redis call may take, in milliseconds, before it fails: the loader then takes a
   * read as a miss, skips a write, or goes on under its local limit. Default 100.
   */
  timeoutMs?: number;
  /**
   * A connected client for pub/sub, which takes a connection of its own. Default: with a client, a
   * `duplicate()` of it, opened on first use and closed by the adapter's `close()`; with a
   * cluster, the cluster itself (node-redis keeps a pub/sub connection per cluster).
   */
  subscriber?: RedisSubscriber | RedisCluster;
}

/** `RedisConnectionOptions`, checked and with defaults. */
export interface RedisConnection {
  client: RedisTarget;
  timeoutMs: number;
  /** Where channels are heard; `undefined`: on a `duplicate()` of the client, opened on first use. */
  subscriber: PubSubConnection | undefined;
}

/**
 * The user's client or cluster, as every adapter calls it: `send` routes a call by its first key
 * (a cluster sends it to the master of that key's slot; a single server ignores it).
 */
export class RedisTarget {
  /** The client or cluster the user gave, whose errors this package listens to. */
  readonly given: RedisClient | RedisCluster;
  /** On a cluster, the cluster itself: node-redis keeps a pub/sub connection per cluster. */
  readonly pubSub: PubSubConnection | undefined;
  readonly #client: RedisClient | undefined;
  readonly #cluster: RedisCluster | undefined;

  constructor(given: RedisClient | RedisCluster) {
    this.given = given;
    if (isCluster(given)) this.pubSub = this.#cluster = given;
    else this.#client = given;
  }

  /**
   * False while a client is disconnected or reconnecting, or a cluster is not open: calls then
   * fail at once. A cluster stays open while one of its masters is away; a call to that master's
   * slots fails after `timeoutMs` instead.
   */
  get isReady(): boolean {
    return this.#cluster === undefined ? this.#client?.isReady === true : this.#cluster.isOpen;
  }

  send(firstKey: string | undefined, args: string[], abortSignal: AbortSignal): Promise<unknown> {
    if (this.#cluster !== undefined) return this.#cluster.sendCommand(firstKey, false, args, { abortSignal });
    return (this.#client as RedisClient).sendCommand(args, { abortSignal });
  }

  /** A new, unconnected client for pub/sub; a cluster needs none (see `pubSub`). */
  duplicate(): RedisSubscriber {
    if (this.#client === undefined) throw new Error('A Redis Cluster is its own pub/sub connection: listen on `pubSub`.');
    return this.#client.duplicate();
  }
}

/** A node-redis cluster (`createCluster()`) rather than a client: it has masters. */
export function isCluster(value: RedisClient | RedisCluster | RedisSubscriber): value is RedisCluster {
  return 'masters' in value && Array.isArray(value.masters);
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

  /**
   * Runs the script on `keys` (every key it touches, or, where a key's name is only known inside
   * the script, one that shares its hash tag) with `args`. On a cluster it runs on the master of
   * the first key's slot.
   */
  async run(client: RedisTarget, keys: readonly string[], args: readonly string[], timeoutMs: number): Promise<unknown> {
    // node-redis would queue the call until it reconnects; a cache that waits is worse than a miss.
    if (!client.isReady) {
      throw new Error('Redis is not reachable: the client is not connected (it is closed or reconnecting).', {
        cause: lastErrorOf(client.given),
      });
    }
    return within(timeoutMs, (signal) => this.#send(client, keys[0], [String(keys.length), ...keys, ...args], signal));
  }

  async #send(client: RedisTarget, firstKey: string | undefined, keysAndArgs: string[], abortSignal: AbortSignal): Promise<unknown> {
    try {
      return await client.send(firstKey, ['EVALSHA', this.#sha, ...keysAndArgs], abortSignal);
    } catch (error) {
      // A cluster's masters each load the script the first time it runs there.
      if (!(error instanceof Error && error.message.startsWith('NOSCRIPT'))) throw error;
      return client.send(firstKey, ['EVAL', this.#source, ...keysAndArgs], abortSignal);
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
