import { randomUUID } from 'node:crypto';
import type { SharedConcurrency, SharedSlot } from 'cdf-loader';
import { ChannelSubscription } from './channel-subscription.js';
import { checkConnection, checkCountUpTo, checkKeyName, checkMilliseconds, checkPositiveInteger } from './check-options.js';
import { REPLICA_WINDOW_MS, RedisScript, within, type RedisConnection, type RedisConnectionOptions } from './redis-client.js';

export interface RedisConcurrencyOptions extends RedisConnectionOptions {
  /**
   * The sorted set that holds the leases; its release channel is `<key>:released`. Every replica
   * that shares the budget uses the same key: one per CDF project and identity. Default
   * `'cdf-loader:concurrency'`.
   */
  key?: string;
  /** Most byids requests in flight across every replica together. Give every replica the same. */
  limit: number;
  /**
   * How long a slot outlives a replica that stops renewing it (it crashed, or lost Redis), in
   * milliseconds. A held slot is renewed every `leaseMs / 3`. Default 10_000.
   */
  leaseMs?: number;
  /**
   * Most requests this replica keeps in flight while Redis cannot be reached (down, or slower
   * than `timeoutMs`), at most `limit`. Default: `limit` divided by the most replicas Redis told
   * holding a slot at once when this replica took one, within the last minute, rounded down, at
   * least 1 (`limit` itself before Redis ever answered). Replicas that rarely overlap count as
   * fewer: set it when the fleet's size is known.
   */
  fallbackLimit?: number;
}

/** A `SharedConcurrency` over Redis, from `redisConcurrency()`. */
export interface RedisConcurrency extends SharedConcurrency {
  readonly fallbackLimit: number;
  /** The most replicas Redis told holding a slot at once when this one took a slot, within the last minute (1 before it answered). */
  readonly replicas: number;
  /** Stops hearing releases and closes the connection it opened for that (never `client` or `subscriber`). */
  close(): Promise<void>;
}

/**
 * KEYS: leases. ARGV: limit, lease ms, lease id (`<replica id>:<n>`). Drops expired leases, then
 * takes (or renews) the lease if it is held already or there is room: returns { 0, the replicas
 * holding a lease }. Else returns { the milliseconds until the first lease expires }. Times are
 * the server's, so the replicas' clocks do not matter.
 */
const acquireScript = new RedisScript(`
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZSCORE', KEYS[1], ARGV[3]) or redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], string.format('%.0f', now + tonumber(ARGV[2])), ARGV[3])
  local replicas, count = {}, 0
  for _, lease in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
    local replica = string.match(lease, '^[^:]*')
    if not replicas[replica] then replicas[replica] = true; count = count + 1 end
  end
  return { 0, count }
end
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return { tonumber(first[2]) - now }
`);

/** KEYS: leases. ARGV: lease id, channel. Gives the lease back and, if it was held, says so. */
const releaseScript = new RedisScript(`
if redis.call('ZREM', KEYS[1], ARGV[1]) == 1 then
  redis.call('PUBLISH', ARGV[2], ARGV[1])
end
`);

/**
 * A concurrency budget shared over Redis for `sharedConcurrency`: every replica that uses the same
 * `key` holds at most `limit` slots together. A slot is a lease in a sorted set that its holder
 * renews; a replica that dies gives its slots back when their leases expire. Waiters wake when a
 * release is published, and otherwise when the first lease would expire. A slot released while
 * another acquirer of this process waits is handed to it directly, up to 4 times in a row, without
 * a round trip to Redis.
 * @throws {TypeError} naming the option, the rule and the value, for an option out of range.
 * @example
 * const redis = await createClient({ url: process.env.REDIS_URL }).connect();
 * createCdfLoaders({ ...options, sharedConcurrency: redisConcurrency({ client: redis, limit: 8 }) });
 */
export function redisConcurrency(options: RedisConcurrencyOptions): RedisConcurrency {
  const limit = checkPositiveInteger('limit', options.limit);
  return new RedisConcurrencyBudget({
    ...checkConnection(options),
    key: checkKeyName('key', options.key ?? 'cdf-loader:concurrency', false),
    limit,
    leaseMs: checkMilliseconds('leaseMs', options.leaseMs ?? 10_000, 1),
    fallbackLimit: options.fallbackLimit === undefined ? undefined : checkCountUpTo('fallbackLimit', options.fallbackLimit, { value: limit, name: '`limit`' }),
  });
}

interface Settings extends RedisConnection {
  key: string;
  limit: number;
  leaseMs: number;
  fallbackLimit: number | undefined;
}

/** A waiter between two attempts. */
interface Sleeper {
  wake(): void;
}

/** An acquirer a released slot of this process can be handed to (see `#handOff`). */
interface Handoff {
  readonly signal: AbortSignal;
  slot: SharedSlot | undefined;
  take(slot: SharedSlot): void;
  stop(): void;
}

/**
 * How many times in a row a released lease goes straight to another acquirer of this process
 * instead of back to Redis: each saves two round trips (the release, and the next acquire), and
 * the bound lets other replicas' waiters take their turn.
 */
const MAX_HANDOFFS = 4;

class RedisConcurrencyBudget implements RedisConcurrency {
  readonly limit: number;
  readonly #settings: Settings;
  readonly #channel: string;
  readonly #subscription: ChannelSubscription;
  /** Waiters in the order they went to sleep: a release wakes the first. */
  readonly #sleepers: Sleeper[] = [];
  /** Acquirers of this process waiting, in the order they came: a slot released here goes to the first. */
  readonly #handoffs: Handoff[] = [];
  /** Releases heard so far: an attempt that fails while one arrives tries again at once. */
  #releasesHeard = 0;
  /** Subscribed (node-redis subscribes again by itself after a reconnect). */
  #listening = false;
  /** Names this replica's leases (`<replica id>:<n>`), so Redis can count the replicas holding one. */
  readonly #replicaId = randomUUID();
  #leases = 0;
  /** The most replicas Redis told holding a slot within `REPLICA_WINDOW_MS`, and when it last told so many. */
  #replicas = 1;
  #replicasAt = Number.NEGATIVE_INFINITY;

  constructor(settings: Settings) {
    this.limit = settings.limit;
    this.#settings = settings;
    this.#channel = `${settings.key}:released`;
    this.#subscription = new ChannelSubscription(settings, {
      [this.#channel]: () => {
        this.#releasesHeard++;
        this.#wakeFirst();
      },
    });
  }

  get replicas(): number {
    return this.#replicas;
  }

  get fallbackLimit(): number {
    return this.#settings.fallbackLimit ?? Math.max(1, Math.floor(this.limit / this.#replicas));
  }

  async acquire(signal: AbortSignal): Promise<SharedSlot> {
    signal.throwIfAborted();
    await this.#listen();
    const leaseId = `${this.#replicaId}:${++this.#leases}`;
    const handoff = this.#awaitHandoff();
    // Aborts when the caller gives up, or when a slot of this process is handed over.
    const either = AbortSignal.any([signal, handoff.signal]);
    try {
      for (;;) {
        if (handoff.slot !== undefined) return handoff.slot;
        signal.throwIfAborted();
        const heard = this.#releasesHeard;
        let waitMs: number;
        try {
          waitMs = await this.#attempt(leaseId, either);
        } catch (error) {
          if (handoff.slot !== undefined) return handoff.slot;
          throw error;
        }
        if (either.aborted) {
          if (waitMs === 0) this.#release(leaseId);
          if (handoff.slot !== undefined) return handoff.slot;
          throw signal.reason;
        }
        if (waitMs === 0) return this.#hold(leaseId, 0);
        // A release heard during the attempt may be the one that made room.
        if (this.#releasesHeard === heard) {
          await this.#sleep(Math.min(waitMs, this.#settings.leaseMs), either).catch((error: unknown) => {
            if (handoff.slot === undefined) throw error;
          });
        }
      }
    } finally {
      handoff.stop();
    }
  }

  close(): Promise<void> {
    this.#listening = false;
    return this.#subscription.close();
  }

  /** Starts hearing releases before the first attempt, so none is missed; waiters that cannot hear them wake on their timers. */
  async #listen(): Promise<void> {
    if (this.#listening || !this.#settings.client.isReady) return;
    await within(this.#settings.timeoutMs, () => this.#subscription.start()).then(
      () => (this.#listening = true),
      () => {},
    );
  }

  /** One try: 0 when the lease is taken, else the milliseconds until the first lease expires. */
  #attempt(leaseId: string, signal: AbortSignal): Promise<number> {
    const { client, key, limit, leaseMs, timeoutMs } = this.#settings;
    const attempt = acquireScript.run(client, [key], [String(limit), String(leaseMs), leaseId], timeoutMs).then((reply) => {
      const [waitMs, replicas] = reply as [number, number?];
      if (replicas !== undefined) this.#sawReplicas(replicas);
      return Number(waitMs);
    });
    return new Promise<number>((resolve, reject) => {
      let abandoned = false;
      const onAbort = (): void => {
        abandoned = true;
        reject(signal.reason);
        // This waiter may have been the one a release woke: the next one takes its turn.
        this.#wakeFirst();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      attempt.then(
        (waitMs) => {
          signal.removeEventListener('abort', onAbort);
          // A lease granted as the signal aborted belongs to nobody: give it back.
          if (abandoned && waitMs === 0) this.#release(leaseId);
          resolve(waitMs);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          // Redis may have granted the lease and only its answer was lost.
          this.#release(leaseId);
          reject(error);
        },
      );
    });
  }

  /** Keeps the most replicas seen within the window: one that holds no slot this moment is still of the fleet. */
  #sawReplicas(replicas: number): void {
    const now = performance.now();
    if (replicas < this.#replicas && now - this.#replicasAt < REPLICA_WINDOW_MS) return;
    this.#replicas = Math.max(1, replicas);
    this.#replicasAt = now;
  }

  #sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const sleeper: Sleeper = {
        wake: () => {
          stop();
          resolve();
        },
      };
      const onAbort = (): void => {
        stop();
        reject(signal.reason);
      };
      const timer = setTimeout(sleeper.wake, ms);
      const stop = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        const index = this.#sleepers.indexOf(sleeper);
        if (index !== -1) this.#sleepers.splice(index, 1);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#sleepers.push(sleeper);
    });
  }

  #wakeFirst(): void {
    this.#sleepers[0]?.wake();
  }

  /**
   * Lets a slot this process releases be handed to this acquirer without a round trip (see
   * `MAX_HANDOFFS`): `signal` aborts when it is, and `slot` is then set.
   */
  #awaitHandoff(): Handoff {
    const controller = new AbortController();
    const handoff: Handoff = {
      signal: controller.signal,
      slot: undefined,
      take: (slot) => {
        handoff.slot = slot;
        controller.abort();
      },
      stop: () => {
        const index = this.#handoffs.indexOf(handoff);
        if (index !== -1) this.#handoffs.splice(index, 1);
      },
    };
    this.#handoffs.push(handoff);
    return handoff;
  }

  /** Hands the lease to the first acquirer of this process still waiting; false when there is none. */
  #handOff(leaseId: string, handoffs: number): boolean {
    const next = this.#handoffs.shift();
    if (next === undefined) return false;
    next.take(this.#hold(leaseId, handoffs));
    return true;
  }

  #hold(leaseId: string, handoffs: number): SharedSlot {
    const { client, key, limit, leaseMs, timeoutMs } = this.#settings;
    // A renewal that fails is tried again on the next tick; the lease lasts leaseMs meanwhile.
    const renewal = setInterval(() => {
      acquireScript.run(client, [key], [String(limit), String(leaseMs), leaseId], timeoutMs).catch(() => {});
    }, Math.max(1, Math.floor(leaseMs / 3)));
    renewal.unref();
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        clearInterval(renewal);
        if (handoffs < MAX_HANDOFFS && this.#handOff(leaseId, handoffs + 1)) return;
        this.#release(leaseId);
      },
    };
  }

  /** Gives the lease back; if Redis cannot be reached, the lease expires by itself. */
  #release(leaseId: string): void {
    const { client, key, timeoutMs } = this.#settings;
    releaseScript.run(client, [key], [leaseId, this.#channel], timeoutMs).catch(() => {});
  }
}
