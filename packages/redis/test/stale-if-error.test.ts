import { createFilesLoader, type LoaderOptions, type SharedCacheScope } from 'cdf-loader';
import { afterEach, describe, expect, test } from 'vitest';
import { redisCache, type RedisCache } from '../src/index.js';
import { connect, loaderOptions, redisForTests, uniqueName, until, useMockCdf } from './support.js';

// Stale if error over a real Redis: entries kept past their TTL for the loader's grace, so a
// replica that starts during a CDF outage serves what the fleet had.
const redis = await redisForTests();
const cdf = useMockCdf({ counts: { files: 100 } });

const alice: SharedCacheScope = { project: 'proj', resource: 'files', principal: 'alice' };
const file = { id: 1001, externalId: 'doc-a', instanceId: { space: 'sp', externalId: 'doc-a' }, name: 'a.pdf' };
const fileKeys = [1001, 'edoc-a', 'nsp:doc-a'];

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

describe.skipIf(redis === undefined)('redisCache keeps entries for stale-if-error', () => {
  const url = redis?.url ?? '';

  test('with a grace, each entry has a copy kept `ttlMs` + the grace, read by `getStale` only, by any of its keys', async () => {
    const keyPrefix = `${uniqueName()}:`;
    const cache = redisCache({ client: await connect(url), keyPrefix, ttlMs: 60_000, notFoundTtlMs: 2_000 });
    await cache.setMany(alice, [{ item: file, keys: fileKeys }], [9999], { staleIfErrorMs: 30_000 });

    const raw = await connect(url);
    const base = `${keyPrefix}{proj:files:alice}:0:`;
    expect(await raw.get(`${base}stale:1001`)).toBe(`["1001","edoc-a","nsp:doc-a"]\n${JSON.stringify(file)}`);
    expect(await raw.get(`${base}stale:edoc-a`)).toBe('>stale:1001');
    expect(await raw.get(`${base}stale:9999`)).toBe('!');
    expectTtl(await raw.pTTL(`${base}stale:1001`), 90_000);
    expectTtl(await raw.pTTL(`${base}stale:nsp:doc-a`), 90_000);
    expectTtl(await raw.pTTL(`${base}stale:9999`), 32_000);
    expectTtl(await raw.pTTL(`${base}1001`), 60_000);

    await expireFresh(url, keyPrefix, 'proj:files:alice');
    expect(await cache.getMany(alice, [...fileKeys, 9999])).toEqual([undefined, undefined, undefined, undefined]);
    expect(await cache.getStale(alice, [...fileKeys, 9999, 4242])).toEqual([file, file, file, null, undefined]);
  });

  test('without a grace nothing extra is stored', async () => {
    const keyPrefix = `${uniqueName()}:`;
    const cache = redisCache({ client: await connect(url), keyPrefix });
    await cache.setMany(alice, [{ item: file, keys: fileKeys }], [9999]);
    await cache.setMany(alice, [{ item: { ...file, id: 1002, externalId: 'b', instanceId: undefined }, keys: [1002, 'eb'] }], [], { staleIfErrorMs: 0 });
    expect(await (await connect(url)).keys(`${keyPrefix}*`)).toHaveLength(6);
    expect(await cache.getStale(alice, [1001, 1002])).toEqual([undefined, undefined]);
  });

  test('`delete` by any key drops the stale copies of every key of the item too', async () => {
    const keyPrefix = `${uniqueName()}:`;
    const cache = redisCache({ client: await connect(url), keyPrefix });
    await cache.setMany(alice, [{ item: file, keys: fileKeys }], [], { staleIfErrorMs: 30_000 });
    await expireFresh(url, keyPrefix, 'proj:files:alice');
    await cache.delete(alice, ['edoc-a']);
    expect(await cache.getStale(alice, fileKeys)).toEqual([undefined, undefined, undefined]);
    expect(await (await connect(url)).keys(`${keyPrefix}{*`)).toEqual([]);
  });
});

describe.skipIf(redis === undefined)('a replica that starts during a CDF outage', () => {
  const url = redis?.url ?? '';
  const cache = { ttlMs: 1_000, staleIfErrorMs: 60_000 };

  async function replica(keyPrefix: string, extra: Partial<LoaderOptions> = {}): Promise<{ files: ReturnType<typeof createFilesLoader>; shared: RedisCache }> {
    const shared = redisCache({ client: await connect(url), keyPrefix, ttlMs: 5_000 });
    const files = createFilesLoader(loaderOptions(cdf(), { retry: { limit: 0 }, ...extra, cache: { ...cache, shared } }));
    closers.push(() => files.close(), () => shared.close());
    return { files, shared };
  }

  test('serves what another replica stored in Redis once the entries are past their TTL, and nothing for a 403', async () => {
    const keyPrefix = `${uniqueName()}:`;
    const [wanted, never, other] = cdf().data.files;
    const first = await replica(keyPrefix);
    expect(await first.files.loadMany([{ id: wanted!.id }, { id: other!.id }])).toEqual([wanted, other]);
    const scope = { project: cdf().project, resource: 'files', principal: 'default' };
    const staleCopies = async (): Promise<boolean> => (await first.shared.getStale(scope, [wanted!.id, other!.id])).every((entry) => entry !== undefined);
    await until(staleCopies, 'the stale copies in Redis');
    await expireFresh(url, keyPrefix, `${cdf().project}:files:default`);

    cdf().addFault({ status: 503 });
    const started = await replica(keyPrefix);
    const results = await started.files.loadMany([{ id: wanted!.id }, { id: never!.id }]);
    expect(results[0]).toEqual(wanted);
    expect(results[1]).toMatchObject({ status: 503 });
    expect(started.files.stats()).toMatchObject({ staleServed: 1, sharedHits: 0, requests: 1, requestFailures: 1 });

    // Another key than the failed request's: its claims hold until they expire.
    cdf().clearFaults();
    cdf().addFault({ status: 403 });
    const refused = await replica(keyPrefix);
    expect(await refused.files.load({ id: other!.id }).catch((reason: unknown) => reason)).toMatchObject({ status: 403 });
    expect(refused.files.stats().staleServed).toBe(0);
  });
});

/** Deletes the fresh entries of a scope (`project:resource:principal`), as their TTL would: what is left are the stale copies. */
async function expireFresh(url: string, keyPrefix: string, scope: string): Promise<void> {
  const raw = await connect(url);
  const keys = await raw.keys(`${keyPrefix}{${scope.split(':').map(encodeURIComponent).join(':')}}:0:*`);
  const fresh = keys.filter((key) => !key.includes(':0:stale:'));
  if (fresh.length > 0) await raw.del(fresh);
}

/** A PTTL just set: at most `ttlMs`, and not much less. */
function expectTtl(pttl: number, ttlMs: number): void {
  expect(pttl).toBeLessThanOrEqual(ttlMs);
  expect(pttl).toBeGreaterThan(ttlMs - 5_000);
}
