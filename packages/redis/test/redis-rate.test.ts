import { createFilesLoader, type FilesLoader } from 'cdf-loader';
import { afterEach, describe, expect, test } from 'vitest';
import { redisRate, type RedisRateOptions } from '../src/index.js';
import { connect, countingClient, loaderOptions, redisForTests, uniqueName, until, useMockCdf } from './support.js';

// Loaders of one process on clients of their own behave as replicas of a service: they meet only
// through Redis and the fake CDF.
const redis = await redisForTests();
const cdf = useMockCdf({ counts: { files: 200 } });
const signal = new AbortController().signal;

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

describe.skipIf(redis === undefined)('redisRate', () => {
  const url = redis?.url ?? '';

  /** `count` replicas: each a client of its own, counting its round trips, and a rate over `key`. */
  async function replicas(count: number, options: Omit<RedisRateOptions, 'client'>) {
    return Promise.all(
      Array.from({ length: count }, async () => {
        const counted = countingClient(await connect(url));
        return { rate: redisRate({ ...options, client: counted.client }), counted };
      }),
    );
  }

  test('turns are 1000 / perSecond ms apart on the server’s clock, across replicas, each one round trip', async () => {
    const key = uniqueName();
    const [a, b] = await replicas(2, { key, perSecond: 1 });
    const raw = await connect(url);
    const nextTurn = async (): Promise<number> => Number(await raw.get(`{${key}}:turn`));
    expect(await a!.rate.reserve(signal)).toBe(0);
    const afterFirst = await nextTurn();
    const second = await b!.rate.reserve(signal);
    const third = await a!.rate.reserve(signal);
    // The fleet's next turns, 1 and 2 s after the first, less the time the calls took.
    expect(second).toBeGreaterThan(0);
    expect(second).toBeLessThanOrEqual(1000);
    expect(third).toBeGreaterThan(1000);
    expect(third).toBeLessThanOrEqual(2000);
    // Kept in µs of the server's clock: two more turns, exactly 2 s further on.
    expect(await nextTurn()).toBe(afterFirst + 2_000_000);
    expect(a!.counted.commands.filter((command) => command === 'EVALSHA')).toHaveLength(2);
    expect(b!.counted.commands.filter((command) => command === 'EVALSHA')).toHaveLength(1);
    expect(b!.rate.replicas).toBe(2);
  });

  test('its keys carry one hash tag and expire; a Redis that forgot the script is taught it again', async () => {
    const key = uniqueName();
    const [replica] = await replicas(1, { key, perSecond: 5 });
    const raw = await connect(url);
    await replica!.rate.reserve(signal);
    expect((await raw.keys(`{${key}}*`)).sort()).toEqual([`{${key}}:replicas`, `{${key}}:turn`]);
    expect(await raw.pTTL(`{${key}}:turn`)).toBeGreaterThan(1000);
    expect(await raw.pTTL(`{${key}}:turn`)).toBeLessThanOrEqual(1200);
    expect(await raw.pTTL(`{${key}}:replicas`)).toBeGreaterThan(50_000);

    await raw.scriptFlush();
    replica!.counted.commands.length = 0;
    expect(await replica!.rate.reserve(signal)).toBeGreaterThan(0);
    expect(replica!.counted.commands).toEqual(['EVALSHA', 'EVAL']);
  });

  test('6 loaders sharing redisRate under the fake’s rate limit meet no 429; on their own they do', async () => {
    // 50 a second for the project; the fleet keeps to 30 (33 ms apart: 6 requests in the fake's
    // 100 ms window would need 167 ms, a margin for timers that fire late on a busy machine).
    cdf().configure({ rateLimit: { requests: 5, intervalMs: 100 } });
    const files = cdf().data.files.slice(0, 60);
    const run = async (shared: boolean): Promise<unknown[]> => {
      cdf().reset();
      const key = uniqueName();
      const loaders: FilesLoader[] = await Promise.all(
        Array.from({ length: 6 }, async () => {
          const sharedRate = shared ? redisRate({ client: await connect(url), key, perSecond: 30 }) : undefined;
          const loader = createFilesLoader(loaderOptions(cdf(), { maxBatchSize: 1, maxConcurrency: 4, retry: { limit: 0 }, ...(sharedRate && { sharedRate }) }));
          closers.push(() => loader.close());
          return loader;
        }),
      );
      return Promise.all(files.map((file, index) => loaders[index % 6]!.load({ id: file.id }).catch((error: unknown) => error)));
    };
    try {
      await run(false);
      expect(cdf().counters.throttled).toBeGreaterThan(0);
      expect(await run(true)).toEqual(files);
      expect(cdf().counters.throttled).toBe(0);
      expect(cdf().counters.requests).toBe(60);
    } finally {
      cdf().configure({ rateLimit: undefined });
    }
  });

  test('lanes hold under redisRate: interactive loads take the next turns of the fleet ahead of bulk requests waiting, then bulk has its turn', async () => {
    const sharedRate = redisRate({ client: await connect(url), key: uniqueName(), perSecond: 5 });
    const loader = createFilesLoader(loaderOptions(cdf(), { maxBatchSize: 1, maxConcurrency: 8, adaptiveConcurrency: false, sharedRate }));
    closers.push(() => loader.close());
    const byIds = () => cdf().log.filter((entry) => entry.resource !== null);
    const bulkIds = Array.from({ length: 8 }, (_, index) => ({ id: index + 1 }));
    const bulk = (async () => {
      let count = 0;
      for await (const result of loader.loadAll(bulkIds)) if (result.item === null) count++;
      return count;
    })();
    await until(() => byIds().length === 1, 'the first bulk request');
    const files = cdf().data.files.slice(0, 3);
    // Turns are 200 ms apart: these queue well before the next one comes.
    const interactive = files.map((file) => loader.load({ id: file.id }));

    expect(await Promise.all(interactive)).toEqual(files);
    expect(await bulk).toBe(8);
    const lanes = byIds().map((entry) => (files.some((file) => (entry.items[0] as { id: number }).id === file.id) ? 'interactive' : 'bulk'));
    expect(lanes.slice(0, 5)).toEqual(['bulk', 'interactive', 'interactive', 'interactive', 'bulk']);
    expect(lanes).toHaveLength(11);
  });

  test('options out of range are refused, naming the option and the value', async () => {
    const client = await connect(url);
    for (const [value, shown] of [[0, '0'], [-2, '-2'], [Number.NaN, 'NaN'], [Number.POSITIVE_INFINITY, 'Infinity'], ['10', '"10"'], [undefined, 'undefined']] as const) {
      expect(() => redisRate({ client, perSecond: value as number })).toThrow(
        new TypeError(`\`perSecond\` must be a positive finite number of requests per second, got ${shown}.`),
      );
    }
    expect(() => redisRate({ client, perSecond: 10, fallbackPerSecond: 11 })).toThrow(
      new TypeError('`fallbackPerSecond` must be a positive finite number of requests per second up to `perSecond` (10), got 11.'),
    );
    expect(() => redisRate({ client, perSecond: 10, fallbackPerSecond: 0 })).toThrow(
      new TypeError('`fallbackPerSecond` must be a positive finite number of requests per second up to `perSecond` (10), got 0.'),
    );
    expect(() => redisRate({ client, perSecond: 10, timeoutMs: 0 })).toThrow(
      new TypeError('`timeoutMs` must be an integer of milliseconds from 1 to 2147483647 (what a timer holds), got 0.'),
    );
    expect(() => redisRate({ client, perSecond: 10, key: 'a{b}' })).toThrow(new TypeError('`key` must be a non-empty string without `{` or `}`, got "a{b}".'));
    expect(() => redisRate({ client: {} as never, perSecond: 10 })).toThrow(
      new TypeError('`client` must be a node-redis client (from `createClient()`) or cluster (from `createCluster()`), got [object Object].'),
    );
    expect(redisRate({ client, perSecond: 12, fallbackPerSecond: 3 }).fallbackPerSecond).toBe(3);
  });
});
