import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { channels, createFilesLoader, type SharedTierEvent } from 'cdf-loader';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { redisCache, redisConcurrency } from '../src/index.js';
import { byIdsRequestSizes, connect, connectCluster, isConnected, loaderOptions, privateClusterForTests, privateRedisForTests, reconnected, until, useMockCdf } from './support.js';

// This test stops Redis, so it runs on a server of its own even where REDIS_URL is set, and on a
// 3-master cluster whose every master goes away.
const server = await privateRedisForTests();
const cluster = await privateClusterForTests();
const cdf = useMockCdf({ counts: { files: 300 } });
const topologies = [
  { name: 'one Redis server', redis: server && { connect: () => connect(server.url), kill: () => server.kill(), restart: () => server.restart() } },
  { name: 'a 3-master Redis Cluster', redis: cluster && { connect: () => connectCluster(cluster), kill: () => cluster.kill(), restart: () => cluster.restart() } },
];

for (const { name, redis } of topologies) describe.skipIf(redis === undefined)(`replicas when ${name} goes away mid-run and comes back`, () => {
  const events: SharedTierEvent[] = [];
  const listener = (event: unknown): void => void events.push(event as SharedTierEvent);
  beforeAll(() => subscribe(channels.sharedTier, listener));
  afterAll(() => unsubscribe(channels.sharedTier, listener));

  test('loads go on against CDF with the outage told once, and the shared tier is used again once Redis is back', async () => {
    const replica = async () => {
      const client = await redis!.connect();
      const shared = redisCache({ client, keyPrefix: 'outage:' });
      const budget = redisConcurrency({ client, key: 'outage', limit: 4 });
      const files = createFilesLoader(loaderOptions(cdf(), { cache: { shared }, sharedConcurrency: budget }));
      return { client, files, close: () => Promise.all([files.close(), shared.close(), budget.close()]) };
    };
    const [a, b] = [await replica(), await replica()];
    const files = cdf().data.files;
    // The tier's 1 s rest after a failure runs on `performance.now()`, moved by hand here.
    vi.useFakeTimers({ toFake: ['performance'] });
    try {
      // Redis dies while a's request is at the fake: the answer still reaches its callers.
      cdf().configure({ latency: { fixedMs: 200 } });
      const inFlight = Promise.all(files.slice(0, 10).map((file) => a.files.load({ id: file.id })));
      await until(() => cdf().counters.inFlight === 1, 'the request to reach the fake');
      await redis!.kill();
      await until(() => !isConnected(a.client) && !isConnected(b.client), 'the clients to see Redis gone');
      expect(await inFlight).toEqual(files.slice(0, 10));
      cdf().configure({ latency: undefined });

      // Every load is answered, from CDF under the local limit; the shared tier is left alone for 1 s, then tried again.
      expect(await Promise.all(files.slice(10, 20).map((file) => a.files.load({ id: file.id })))).toEqual(files.slice(10, 20));
      vi.advanceTimersByTime(1_000);
      expect(await Promise.all(files.slice(20, 30).map((file) => a.files.load({ id: file.id })))).toEqual(files.slice(20, 30));
      expect(byIdsRequestSizes(cdf())).toEqual([10, 10, 10]);
      expect(events.map(({ tier, state }) => `${tier} ${state}`)).toEqual(['cache down', 'concurrency down']);
      expect(events.every(({ error }) => error instanceof Error)).toBe(true);

      await redis!.restart();
      await Promise.all([reconnected(a.client), reconnected(b.client)]);
      vi.advanceTimersByTime(1_000);
      const file = files[30]!;
      expect(await a.files.load({ id: file.id })).toEqual(file);
      await until(async () => (await redisCache({ client: b.client, keyPrefix: 'outage:' }).getMany(scope(), [file.id]))[0] !== undefined, 'a’s answer in Redis');
      // The shared-tier look and the budget run side by side; on a cluster their keys sit on different
      // masters, so either may be back first.
      expect(events.map(({ tier, state }) => `${tier} ${state}`).slice(0, 2)).toEqual(['cache down', 'concurrency down']);
      expect(events.map(({ tier, state }) => `${tier} ${state}`).slice(2).sort()).toEqual(['cache up', 'concurrency up']);

      // b has never met the outage: what a wrote after Redis came back is a shared hit for it.
      expect(await b.files.load({ id: file.id })).toEqual(file);
      expect(b.files.stats()).toMatchObject({ sharedHits: 1, requests: 0 });
      expect(byIdsRequestSizes(cdf())).toEqual([10, 10, 10, 1]);
    } finally {
      vi.useRealTimers();
      cdf().configure({ latency: undefined });
      await Promise.all([a.close(), b.close()]);
    }
  });
});

function scope() {
  return { project: cdf().project, resource: 'files', principal: 'default' };
}
