import type { FileItem } from '@cdf-loader/mock-cdf';
import { createCdfLoaderPool, createFilesLoader, type FilesLoader, type LoaderOptions, type SharedCacheInvalidation } from 'cdf-loader';
import { afterEach, describe, expect, test } from 'vitest';
import { redisCache, redisConcurrency, type RedisCache } from '../src/index.js';
import { byIdsRequestSizes, loaderOptions, redisTopologiesForTests, uniqueName, until, useMockCdf } from './support.js';

// Loaders of one process on clients of their own behave as replicas of a service: they meet only
// through Redis and the fake CDF. Each test runs on one Redis server and on a 3-master cluster.
const topologies = await redisTopologiesForTests();
const cdf = useMockCdf({ counts: { files: 300 } });

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

for (const { name, connect } of topologies) describe.skipIf(connect === undefined)(`loaders as replicas over ${name}`, () => {

  /** One replica: a connection of its own, a loader with its own local cache, in front of the tier at `keyPrefix`. */
  async function replica(keyPrefix: string, extra: Partial<LoaderOptions> = {}): Promise<{ files: FilesLoader; shared: RedisCache }> {
    const shared = redisCache({ client: await connect!(), keyPrefix });
    const files = createFilesLoader(loaderOptions(cdf(), { ...extra, cache: { shared } }));
    closers.push(() => files.close(), () => shared.close());
    return { files, shared };
  }

  /** Resolves once the tier holds an entry (an item or "not found") for each of these keys: the loader writes back without waiting. */
  function stored(shared: RedisCache, keys: readonly (number | string)[], principal = 'default'): Promise<void> {
    return until(async () => (await shared.getMany(scopeOf(principal), keys)).every((entry) => entry !== undefined), `${keys.length} keys in Redis`);
  }

  test('what one replica fetched, the other reads from Redis by any of its identifiers, with no request', async () => {
    const keyPrefix = `${uniqueName()}:`;
    const [a, b] = [await replica(keyPrefix), await replica(keyPrefix)];
    const files = cdf().data.files.slice(0, 40);
    const unknownId = 999_999_999;

    expect(await Promise.all([...files.map((file) => a.files.load({ id: file.id })), a.files.load({ id: unknownId })])).toEqual([...files, null]);
    await stored(b.shared, [...files.map((file) => file.id), unknownId]);
    // Half by externalId, which Redis resolves through the pointer to the item stored under its id.
    const identifiers = files.map((file, index) => (index % 2 === 1 && file.externalId !== undefined ? { externalId: file.externalId } : { id: file.id }));
    expect(identifiers.filter((identifier) => 'externalId' in identifier).length).toBeGreaterThan(5);

    expect(await Promise.all([...identifiers.map((identifier) => b.files.load(identifier)), b.files.load({ id: unknownId })])).toEqual([...files, null]);
    expect(byIdsRequestSizes(cdf())).toEqual([41]);
    expect(b.files.stats()).toMatchObject({ loads: 41, sharedHits: 41, requests: 0 });
  });

  test('`clear`, `prime` and `clearAll` on one replica reach the local cache of the other', async () => {
    const keyPrefix = `${uniqueName()}:`;
    const [a, b] = [await replica(keyPrefix), await replica(keyPrefix)];
    const [first, second] = cdf().data.files as [FileItem, FileItem];
    await Promise.all([a.files.load({ id: first.id }), a.files.load({ id: second.id })]);
    await stored(b.shared, [first.id, second.id]);
    expect(await Promise.all([b.files.load({ id: first.id }), b.files.load({ id: second.id })])).toEqual([first, second]);
    expect(byIdsRequestSizes(cdf())).toEqual([2]);
    // b's loader listens already; this listener tells the test when a message has reached b.
    const heard: SharedCacheInvalidation[] = [];
    b.shared.subscribe((invalidation) => heard.push(invalidation));
    await b.shared.listening();

    a.files.clear({ id: first.id });
    await until(() => heard.length === 1, 'the clear to reach b');
    expect(await b.files.load({ id: first.id })).toEqual(first);
    expect(byIdsRequestSizes(cdf())).toEqual([2, 1]);

    const renamed = { ...second, name: 'renamed.pdf' };
    a.files.prime(renamed);
    await until(() => heard.length === 2, 'the prime to reach b');
    await until(async () => ((await b.shared.getMany(scopeOf('default'), [second.id]))[0] as FileItem | undefined)?.name === 'renamed.pdf', 'the primed item in Redis');
    expect(await b.files.load({ id: second.id })).toEqual(renamed);
    expect(byIdsRequestSizes(cdf())).toEqual([2, 1]);

    a.files.clearAll();
    await until(() => heard.length === 3, 'the clearAll to reach b');
    expect(await b.files.load({ id: second.id })).toEqual(second);
    expect(byIdsRequestSizes(cdf())).toEqual([2, 1, 1]);
    expect(heard.map(({ keys }) => keys)).toEqual([[first.id], expect.arrayContaining([second.id]), 'all']);
  });

  test('principals never share entries: a pool per replica, the same file for alice and bob', async () => {
    const keyPrefix = `${uniqueName()}:`;
    const pool = async () => {
      const shared = redisCache({ client: await connect!(), keyPrefix });
      const replicaPool = createCdfLoaderPool({ baseUrl: cdf().url, project: cdf().project, cache: { shared } });
      closers.push(() => replicaPool.close(), () => shared.close());
      return { pool: replicaPool, shared };
    };
    const [a, b] = [await pool(), await pool()];
    const token = () => cdf().token;
    const file = cdf().data.files[0]!;

    expect(await a.pool.forPrincipal('alice', token).files.load({ id: file.id })).toEqual(file);
    await stored(b.shared, [file.id], 'alice');
    const bobOnB = b.pool.forPrincipal('bob', token).files;
    expect(await bobOnB.load({ id: file.id })).toEqual(file);
    expect(bobOnB.stats()).toMatchObject({ sharedHits: 0, requests: 1 });
    expect(byIdsRequestSizes(cdf())).toEqual([1, 1]);

    const aliceOnB = b.pool.forPrincipal('alice', token).files;
    expect(await aliceOnB.load({ id: file.id })).toEqual(file);
    expect(aliceOnB.stats()).toMatchObject({ sharedHits: 1, requests: 0 });
    expect(byIdsRequestSizes(cdf())).toEqual([1, 1]);
  });

  test('the budget holds across replicas: 3 loaders × `maxConcurrency` 4 under `redisConcurrency({ limit: 2 })`', async () => {
    const key = uniqueName();
    const loaders = await Promise.all(
      [0, 1, 2].map(async () => {
        const budget = redisConcurrency({ client: await connect!(), key, limit: 2 });
        const files = createFilesLoader(loaderOptions(cdf(), { maxConcurrency: 4, maxBatchSize: 10, cache: false, sharedConcurrency: budget }));
        closers.push(() => files.close(), () => budget.close());
        return files;
      }),
    );
    const files = cdf().data.files.slice(0, 120);
    // A third request at once would be answered 429, and each request takes long enough to overlap the others.
    cdf().configure({ concurrencyLimit: 2, latency: { fixedMs: 20 } });
    try {
      const results = await Promise.all(loaders.map((loader, index) => Promise.all(files.slice(index * 40, index * 40 + 40).map((file) => loader.load({ id: file.id })))));
      expect(results.flat()).toEqual(files);
    } finally {
      cdf().configure({ concurrencyLimit: undefined, latency: undefined });
    }
    expect(cdf().counters).toMatchObject({ requests: 12, throttled: 0, maxConcurrent: 2 });
  });
});

/** The scope of the fake's files for a principal. */
function scopeOf(principal: string) {
  return { project: cdf().project, resource: 'files', principal };
}
