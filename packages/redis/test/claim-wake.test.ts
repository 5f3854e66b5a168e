import { createFilesLoader, type FilesLoader } from 'cdf-loader';
import { afterEach, describe, expect, test } from 'vitest';
import { type RedisCache, redisCache } from '../src/index.js';
import { byIdsRequestSizes, countingClient, type CountingClient, loaderOptions, redisTopologiesForTests, uniqueName, until, useMockCdf } from './support.js';

// Replicas are loaders on clients of their own, meeting only through Redis and the fake CDF; on one
// Redis server and on a 3-master cluster.
const topologies = await redisTopologiesForTests();
const cdf = useMockCdf({ counts: { files: 300 } });

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  cdf().configure({ latency: undefined });
  await Promise.all(closers.splice(0).map((close) => close()));
});

for (const { name, connect } of topologies) describe.skipIf(connect === undefined)(`claims over ${name}: one round trip, woken by pub/sub`, () => {
  async function replica(keyPrefix: string): Promise<{ files: FilesLoader; counted: CountingClient; shared: RedisCache }> {
    const counted = countingClient(await connect!());
    const shared = redisCache({ client: counted.client, keyPrefix });
    const files = createFilesLoader(loaderOptions(cdf(), { cache: { shared } }));
    closers.push(() => files.close(), () => shared.close());
    await shared.listening();
    return { files, counted, shared };
  }

  test('a chunk costs three Redis calls: the look before its slot, the last look and its claims together, the write', async () => {
    const { files, counted } = await replica(`${uniqueName()}:`);
    const wanted = cdf().data.files.slice(0, 5);
    expect(await Promise.all(wanted.map((file) => files.load({ id: file.id })))).toEqual(wanted);
    const evalshas = () => counted.commands.filter((command) => command === 'EVALSHA').length;
    await until(() => evalshas() === 3 && counted.answered === counted.commands.length, 'the write');
    // A script this Redis does not know yet is sent once more, as EVAL: still one call of the loader's.
    expect(counted.commands.filter((command) => command !== 'EVALSHA' && command !== 'EVAL')).toEqual([]);
    expect(byIdsRequestSizes(cdf())).toEqual([5]);
  });

  test('a replica waiting on another’s claim is woken when the answer is stored, not by polling', async () => {
    const keyPrefix = `${uniqueName()}:`;
    const [a, b] = [await replica(keyPrefix), await replica(keyPrefix)];
    const file = cdf().data.files[0]!;
    cdf().configure({ latency: { fixedMs: 400 } });
    const fetching = a.files.load({ id: file.id });
    await until(() => cdf().counters.inFlight === 1, 'a’s request to reach the fake');
    b.counted.commands.length = 0;
    const waiting = b.files.load({ id: file.id });
    expect(await fetching).toEqual(file);
    const answeredAt = Date.now();
    expect(await waiting).toEqual(file);
    // Woken by the message, not the next look (every 100 ms as a fallback).
    expect(Date.now() - answeredAt).toBeLessThan(90);
    // The look before its slot, the look and claim, the fallback looks (~4 in 400 ms), the look it was woken for.
    expect(b.counted.commands.length).toBeLessThanOrEqual(8);
    expect(b.files.stats()).toMatchObject({ sharedHits: 1, requests: 0 });
    expect(byIdsRequestSizes(cdf())).toEqual([1]);
  });

  test('the message carries the answers: the waiter settles without reading them back, and only the waiter hears it', async () => {
    const keyPrefix = `${uniqueName()}:`;
    const [a, b, c] = [await replica(keyPrefix), await replica(keyPrefix), await replica(keyPrefix)];
    const [file] = cdf().data.files;
    const unknownId = 9_999_999;
    // Not a multiple of the 100 ms fallback look: b's looks come well before and after the answer.
    cdf().configure({ latency: { fixedMs: 250 } });
    const fetching = a.files.loadMany([{ id: file!.id }, { id: unknownId }]);
    await until(() => cdf().counters.inFlight === 1, 'a’s request to reach the fake');
    const heard: { by: string; keys: readonly unknown[]; items: readonly unknown[] | undefined; commandsBefore: number }[] = [];
    for (const [name, { shared, counted }] of [['b', b], ['c', c]] as const) {
      shared.subscribeStored((_scope, keys, items) => heard.push({ by: name, keys, items, commandsBefore: counted.commands.length }));
    }
    const waiting = b.files.loadMany([{ id: file!.id }, { id: unknownId }]);
    expect(await fetching).toEqual([file, null]);
    expect(await waiting).toEqual([file, null]);
    // b settled on the message: no Redis call of its after it came.
    expect(heard).toEqual([{ by: 'b', keys: [file!.id, unknownId], items: [file, null], commandsBefore: b.counted.commands.length }]);
    expect(b.files.stats()).toMatchObject({ sharedHits: 2, requests: 0 });
    expect(byIdsRequestSizes(cdf())).toEqual([2]);
  });

  test('a replica whose request failed gives its claims back and tells the waiters: they fetch at once', async () => {
    const keyPrefix = `${uniqueName()}:`;
    const [a, b] = [await replica(keyPrefix), await replica(keyPrefix)];
    const file = cdf().data.files[0]!;
    cdf().addFault({ request: 1, status: 403, delayMs: 250 });
    const failing = a.files.load({ id: file.id });
    await until(() => cdf().counters.inFlight === 1, 'a’s request to reach the fake');
    const waiting = b.files.load({ id: file.id });
    await expect(failing).rejects.toMatchObject({ status: 403 });
    const failedAt = Date.now();
    expect(await waiting).toEqual(file);
    // Told by the message, not the next look (every 100 ms as a fallback), nor the claim's end (5 s).
    expect(Date.now() - failedAt).toBeLessThan(90);
    expect(byIdsRequestSizes(cdf())).toEqual([1, 1]);
    expect(b.files.stats()).toMatchObject({ requests: 1 });
  });
});
