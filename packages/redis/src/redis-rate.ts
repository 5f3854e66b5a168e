import { randomUUID } from 'node:crypto';
import type { SharedRate } from 'cdf-loader';
import { checkConnection, checkKeyName, checkPositiveNumber } from './check-options.js';
import { REPLICA_WINDOW_MS, RedisScript, type RedisConnection, type RedisConnectionOptions } from './redis-client.js';

export interface RedisRateOptions extends Omit<RedisConnectionOptions, 'subscriber'> {
  /**
   * Names the rate in Redis: its keys are `{<key>}:turn` and `{<key>}:replicas`, one hash tag, so
   * both sit in one Redis Cluster slot. Every replica that shares the rate uses the same key: one
   * per CDF project and identity. No `{` or `}`. Default `'cdf-loader:rate'`.
   */
  key?: string;
  /**
   * Most requests a second across every replica together (fractions allowed). Give every replica
   * the same, a little below CDF's limit: requests are spaced `1000 / perSecond` ms apart when they
   * leave, and the network can bring two closer on the way.
   */
  perSecond: number;
  /**
   * This replica's rate while Redis cannot be reached (down, or slower than `timeoutMs`), in
   * requests a second, at most `perSecond`. Default: `perSecond` divided by the replicas that took
   * a turn in the last minute, as Redis last told (`perSecond` itself before Redis ever answered).
   */
  fallbackPerSecond?: number;
}

/** A `SharedRate` over Redis, from `redisRate()`. */
export interface RedisRate extends SharedRate {
  /** Replicas that took a turn in the last minute, this one included, as Redis last told (1 before it answered). */
  readonly replicas: number;
}

/**
 * KEYS: the next free turn, the replicas seen. ARGV: µs between turns, this replica's id, µs a
 * replica counts after its last turn. Takes the next free turn (now, if it has passed) and moves
 * it one interval on; returns the µs until the turn taken and the replicas seen. Times are the
 * server's (`TIME`), so the replicas' clocks do not matter.
 */
const reserveScript = new RedisScript(`
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local turn = tonumber(redis.call('GET', KEYS[1]) or '0')
if turn < now then turn = now end
local nextTurn = turn + tonumber(ARGV[1])
redis.call('SET', KEYS[1], string.format('%.0f', nextTurn), 'PX', string.format('%.0f', math.ceil((nextTurn - now) / 1000) + 1000))
local window = tonumber(ARGV[3])
redis.call('ZADD', KEYS[2], string.format('%.0f', now), ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', string.format('(%.0f', now - window))
redis.call('PEXPIRE', KEYS[2], string.format('%.0f', window / 1000))
return { string.format('%.0f', turn - now), redis.call('ZCARD', KEYS[2]) }
`);

/**
 * A request rate shared over Redis for `sharedRate`: every replica that uses the same `key`
 * sends at most `perSecond` requests a second together. A turn is one round trip: a script takes
 * the fleet's next free turn on the server's clock (GCRA without a burst: turns are
 * `1000 / perSecond` ms apart) and says how long to wait for it. While Redis cannot be reached,
 * each replica keeps to `fallbackPerSecond`, never a stampede.
 * @throws {TypeError} naming the option, the rule and the value, for an option out of range.
 * @example
 * const redis = await createClient({ url: process.env.REDIS_URL }).connect();
 * createCdfLoaders({ ...options, sharedRate: redisRate({ client: redis, key: 'my-project', perSecond: 14 }) });
 */
export function redisRate(options: RedisRateOptions): RedisRate {
  const perSecond = checkPositiveNumber('perSecond', options.perSecond, 'requests per second');
  return new RedisRequestRate({
    ...checkConnection(options),
    key: checkKeyName('key', options.key ?? 'cdf-loader:rate', true),
    perSecond,
    fallbackPerSecond:
      options.fallbackPerSecond === undefined
        ? undefined
        : checkPositiveNumber('fallbackPerSecond', options.fallbackPerSecond, 'requests per second', { value: perSecond, name: '`perSecond`' }),
  });
}

interface Settings extends RedisConnection {
  key: string;
  perSecond: number;
  fallbackPerSecond: number | undefined;
}

class RedisRequestRate implements RedisRate {
  readonly perSecond: number;
  #replicas = 1;
  readonly #settings: Settings;
  readonly #keys: readonly string[];
  readonly #args: readonly string[];

  constructor(settings: Settings) {
    this.perSecond = settings.perSecond;
    this.#settings = settings;
    this.#keys = [`{${settings.key}}:turn`, `{${settings.key}}:replicas`];
    // Whole µs, rounded up: a turn a fraction early could break the rate.
    this.#args = [String(Math.ceil(1_000_000 / settings.perSecond)), randomUUID(), String(REPLICA_WINDOW_MS * 1000)];
  }

  get replicas(): number {
    return this.#replicas;
  }

  get fallbackPerSecond(): number {
    return this.#settings.fallbackPerSecond ?? this.perSecond / this.#replicas;
  }

  async reserve(signal: AbortSignal): Promise<number> {
    signal.throwIfAborted();
    const { client, timeoutMs } = this.#settings;
    // No way to take a turn back: one granted as the signal aborts is spent unused, which only slows the fleet.
    const reply = (await reserveScript.run(client, this.#keys, this.#args, timeoutMs)) as [string, number];
    signal.throwIfAborted();
    this.#replicas = Math.max(1, Number(reply[1]));
    return Number(reply[0]) / 1000;
  }
}
