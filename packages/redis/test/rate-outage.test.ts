import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { channels, createFilesLoader, type SharedTierEvent } from 'cdf-loader';
import { createClient } from 'redis';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { redisRate } from '../src/index.js';
import { connect, loaderOptions, privateRedisForTests, reconnected, until, useMockCdf } from './support.js';

// These tests stop the server, so they run on one of their own even where REDIS_URL is set.
const server = await privateRedisForTests();
const cdf = useMockCdf({ counts: { files: 100 } });
const signal = new AbortController().signal;

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/**
 * A loader's `onRequest`, and the milliseconds between the requests it sent: what the rate paces
 * (on the way to the fake, connection set-up can move an arrival by some ms).
 */
function sendTimes() {
  const sentAt: number[] = [];
  return {
    onRequest: ({ startTime }: { startTime: number }) => void sentAt.push(startTime),
    gaps: () => sentAt.slice(1).map((at, index) => at - sentAt[index]!),
  };
}

/**
 * Requests sent `intervalMs` apart, as the rate spaces their turns: over the run to within a few ms
 * (a send follows its turn after a few ms that vary with a busy machine's GC and scheduling), and
 * each gap far above the fleet's rate, which a stampede would keep to.
 */
function expectSpaced(gaps: number[], intervalMs: number, fleetIntervalMs: number): void {
  expect(gaps.reduce((sum, gap) => sum + gap, 0)).toBeGreaterThanOrEqual(gaps.length * intervalMs - 5);
  for (const gap of gaps) expect(gap).toBeGreaterThan(3 * fleetIntervalMs);
}

describe.skipIf(server === undefined)('redisRate when Redis fails', () => {
  const events: SharedTierEvent[] = [];
  const listener = (event: unknown): void => void events.push(event as SharedTierEvent);
  subscribe(channels.sharedTier, listener);
  afterAll(() => unsubscribe(channels.sharedTier, listener));

  test('Redis paused: each replica keeps to its share of the fleet’s rate, no stampede; the outage is told once, and its end', async () => {
    const url = server!.url;
    // Four replicas took a turn: each one's share of 40 a second is 10.
    const rates = await Promise.all(Array.from({ length: 4 }, async () => redisRate({ client: await connect(url), key: 'paused', perSecond: 40 })));
    // The second round: the first replica heard of the others only then.
    for (const round of [1, 2]) for (const rate of rates) await rate.reserve(signal).then(() => round);
    expect(rates.map((rate) => rate.fallbackPerSecond)).toEqual([10, 10, 10, 10]);
    const sent = sendTimes();
    const loader = createFilesLoader(loaderOptions(cdf(), { maxBatchSize: 1, cache: false, sharedRate: rates[3]!, onRequest: sent.onRequest }));
    closers.push(() => loader.close());
    const files = cdf().data.files.slice(0, 8);
    events.length = 0;

    server!.pause();
    try {
      expect(await Promise.all(files.map((file) => loader.load({ id: file.id })))).toEqual(files);
    } finally {
      server!.resume();
    }

    expect(cdf().counters.requests).toBe(8);
    // 10 a second: 100 ms apart (the fleet's 40 would be 25).
    expect(sent.gaps()).toHaveLength(7);
    expectSpaced(sent.gaps(), 100, 25);
    expect(events.map(({ tier, state }) => ({ tier, state }))).toEqual([{ tier: 'rate', state: 'down' }]);
    expect(events[0]!.error!.message).toBe('Redis did not answer within 100 ms (`timeoutMs`).');

    // Once the tier’s rest is over, a load (no cache: each one a request) takes its turn from Redis again.
    await until(async () => {
      await loader.load({ id: files[0]!.id });
      return events.length === 2;
    }, 'the rate to be used again');
    expect(events[1]).toEqual({ tier: 'rate', state: 'up', error: undefined });
  });

  test('Redis gone, with no `error` listener on the client: the process lives, and the replica keeps to `fallbackPerSecond`', async () => {
    const url = server!.url;
    // No listener of the test's own: a client error nobody hears would end the process.
    const client = await createClient({ url }).connect();
    closers.push(async () => client.destroy());
    const sent = sendTimes();
    const sharedRate = redisRate({ client, key: 'gone', perSecond: 100, fallbackPerSecond: 20 });
    const loader = createFilesLoader(loaderOptions(cdf(), { maxBatchSize: 1, sharedRate, onRequest: sent.onRequest }));
    closers.push(() => loader.close());
    const files = cdf().data.files.slice(0, 6);
    events.length = 0;

    await server!.kill();
    await until(() => !client.isReady, 'the client to see Redis gone');
    try {
      expect(await Promise.all(files.map((file) => loader.load({ id: file.id })))).toEqual(files);
    } finally {
      await server!.restart();
    }

    expect(cdf().counters.requests).toBe(6);
    // 20 a second: 50 ms apart (the fleet's 100 would be 10).
    expect(sent.gaps()).toHaveLength(5);
    expectSpaced(sent.gaps(), 50, 10);
    expect(events.map(({ tier, state }) => ({ tier, state }))).toEqual([{ tier: 'rate', state: 'down' }]);
    expect(events[0]!.error!.message).toBe('Redis is not reachable: the client is not connected (it is closed or reconnecting).');
    await reconnected(client);
  });
});
