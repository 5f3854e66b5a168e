import { within, type MessageListener, type PubSubConnection, type RedisConnection, type RedisSubscriber, type RedisTarget } from './redis-client.js';

/**
 * Channels heard on one pub/sub connection, set up on first use: the `subscriber` the user gave
 * (or their cluster, which keeps a pub/sub connection of its own), or else a `duplicate()` of their
 * client that this owns (and so closes). node-redis reconnects the connection and subscribes it
 * again by itself after Redis comes back (a cluster, on another node if its node left); what is
 * published while it is away is not heard.
 */
export class ChannelSubscription {
  readonly #client: RedisTarget;
  readonly #givenSubscriber: PubSubConnection | undefined;
  readonly #timeoutMs: number;
  /** Each channel and what hears it. */
  readonly #listeners: ReadonlyMap<string, MessageListener>;
  #ownSubscriber: RedisSubscriber | undefined;
  #started: Promise<void> | undefined;
  #closed = false;

  constructor({ client, subscriber, timeoutMs }: RedisConnection, channels: Record<string, (message: string) => void>) {
    this.#client = client;
    this.#givenSubscriber = subscriber;
    this.#timeoutMs = timeoutMs;
    this.#listeners = new Map(Object.entries(channels).map(([channel, onMessage]) => [channel, (message) => onMessage(message.toString())]));
  }

  /**
   * Resolves once every channel is subscribed. Starts the subscription on the first call, and again
   * on a later call if that one failed.
   */
  start(): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('This subscription is closed.'));
    this.#started ??= this.#subscribe().catch((error: unknown) => {
      this.#ownSubscriber?.destroy();
      this.#ownSubscriber = undefined;
      this.#started = undefined;
      throw error;
    });
    return this.#started;
  }

  /**
   * Stops listening; closes the connection if this opened it (never the user's clients). On a
   * connection of the user's, waits for Redis to confirm at most `timeoutMs`: a connection that is
   * away would hold the unsubscribe until it is back (the listener is removed at once all the same).
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const started = this.#started;
    this.#started = undefined;
    if (this.#ownSubscriber !== undefined) {
      this.#ownSubscriber.destroy();
      this.#ownSubscriber = undefined;
    } else if (started !== undefined && this.#givenSubscriber !== undefined) {
      const subscriber = this.#givenSubscriber;
      const unsubscribed = () => Promise.all([...this.#listeners].map(([channel, listener]) => subscriber.unsubscribe(channel, listener)));
      await within(this.#timeoutMs, () => started.then(unsubscribed)).catch(() => {
        // Not subscribed, or Redis is away: there is nothing left to stop.
      });
    }
  }

  async #subscribe(): Promise<void> {
    let subscriber = this.#givenSubscriber;
    if (subscriber === undefined) {
      const own = this.#client.duplicate();
      // Without a listener, a connection error would be thrown as an uncaught 'error' event.
      own.on('error', () => {});
      // A connection only for listening must not keep the process alive.
      own.unref();
      this.#ownSubscriber = subscriber = own;
      await own.connect();
    }
    if (this.#closed) return;
    await Promise.all([...this.#listeners].map(([channel, listener]) => subscriber.subscribe(channel, listener)));
  }
}
