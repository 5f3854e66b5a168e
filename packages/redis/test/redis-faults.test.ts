import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { performance } from 'node:perf_hooks';
import { channels, createFilesLoader, type FileInfo, type FilesLoader, type SharedTierEvent } from 'cdf-loader';
import { createClient } from 'redis';
import { afterAll, afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { generationKey, keyPart, scopeBase } from '../src/cache-storage.js';
import { redisCache, redisConcurrency } from '../src/index.js';
import { byIdsRequestSizes, connect, loaderOptions, privateRedisForTests, reconnected, type TestClient, until, useMockCdf } from './support.js';

// These tests stop, pause and poison the server, so they run on one of their own.
const server = await privateRedisForTests();
const cdf = useMockCdf({ counts: { files: 300 } });

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  server?.resume();
  cdf().configure({ latency: undefined });
  await Promise.all(closers.splice(0).map((close) => close()));
});

describe.skipIf(server === undefined)('Redis faults under loaders', () => {
  const events: SharedTierEvent[] = [];
  const listener = (event: unknown): void => void events.push(event as SharedTierEvent);
  subscribe(channels.sharedTier, listener);
  afterAll(() => unsubscribe(channels.sharedTier, listener));
  beforeEach(() => void (events.length = 0));

  /** A replica on a client of its own, sharing the tier at `keyPrefix` and the budget at `key`. */
  function replica(client: TestClient, keyPrefix: string, budget?: string): FilesLoader {
    const shared = redisCache({ client, keyPrefix });
    const sharedConcurrency = budget === undefined ? undefined : redisConcurrency({ client, key: budget, limit: 4 });
    const files = createFilesLoader(loaderOptions(cdf(), { cache: { shared }, ...(sharedConcurrency && { sharedConcurrency }) }));
    closers.push(() => files.close(), () => shared.close(), async () => sharedConcurrency?.close());
    return files;
  }

  /**
   * `a` claims `first` and asks the fake; Redis stops before the answer is back, so `a` cannot
   * write it. A read that meets the pause marks the tier down for `a`: the answer is kept, not written.
   */
  async function fetchWhileRedisPauses(a: FilesLoader, first: FileInfo, second: FileInfo): Promise<void> {
    cdf().configure({ latency: { fixedMs: 300 } });
    const fetching = a.load({ id: first.id });
    await until(() => cdf().counters.inFlight === 1, 'a’s request to reach the fake');
    server!.pause();
    expect(await a.load({ id: second.id })).toEqual(second);
    expect(await fetching).toEqual(first);
    server!.resume();
    cdf().configure({ latency: undefined });
  }

  test('a client without an `error` listener: Redis killed and restarted never ends the process, and every load is answered', async () => {
    // Not `connect()`: that listens for errors, as a careful user would. This user did not.
    const client = await createClient({ url: server!.url }).connect();
    closers.push(async () => client.destroy());
    const files = replica(client, 'killed:', 'killed');
    const all = cdf().data.files;
    expect(await Promise.all(all.slice(0, 10).map((file) => files.load({ id: file.id })))).toEqual(all.slice(0, 10));

    await server!.kill();
    // node-redis emits an `error` on each reconnection attempt; each would have been thrown.
    await until(() => !client.isReady, 'the client to see Redis gone');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await Promise.all(all.slice(10, 20).map((file) => files.load({ id: file.id })))).toEqual(all.slice(10, 20));
    expect(events.map(({ tier, state }) => `${tier} ${state}`)).toEqual(['cache down', 'concurrency down']);
    expect(events.every(({ error }) => error instanceof Error)).toBe(true);
    // A call while the client is away names why: the last connection error it emitted.
    const scope = { project: cdf().project, resource: 'files', principal: 'default' };
    await expect(redisCache({ client, keyPrefix: 'killed:' }).getMany(scope, [1])).rejects.toMatchObject({
      message: 'Redis is not reachable: the client is not connected (it is closed or reconnecting).',
      cause: { code: 'ECONNREFUSED' },
    });

    await server!.restart();
    await reconnected(client);
    expect(await files.load({ id: all[20]!.id })).toEqual(all[20]);
    expect(byIdsRequestSizes(cdf())).toEqual([10, 10, 1]);
  });

  test('a paused Redis costs a load at most its deadline (`timeoutMs`, 100 ms by default), not the length of the pause', async () => {
    const files = replica(await connect(server!.url), 'paused:', 'paused');
    const all = cdf().data.files;
    await files.load({ id: all[0]!.id });

    server!.pause();
    const started = performance.now();
    expect(await Promise.all(all.slice(1, 21).map((file) => files.load({ id: file.id })))).toEqual(all.slice(1, 21));
    const tookMs = performance.now() - started;
    expect(tookMs).toBeGreaterThanOrEqual(99);
    // One deadline for the read, the fake's answer, and room for a shared, busy machine.
    expect(tookMs).toBeLessThan(1_000);
    expect(events.map(({ tier, state }) => `${tier} ${state}`)).toEqual(['cache down', 'concurrency down']);
    expect(events.map(({ error }) => error?.message)).toEqual(Array(2).fill('Redis did not answer within 100 ms (`timeoutMs`).'));
  });

  test('answers fetched while Redis was away are written once it is back, ending the claims other replicas wait on', async () => {
    const [clientA, clientB] = [await connect(server!.url), await connect(server!.url)];
    const a = replica(clientA, 'claims:');
    const b = replica(clientB, 'claims:');
    const [first, second, third] = cdf().data.files;
    vi.useFakeTimers({ toFake: ['performance'] });
    try {
      await fetchWhileRedisPauses(a, first!, second!);

      // b finds a's claim on `first` and waits for its answer; a's next call to Redis writes it.
      const waiting = b.load({ id: first!.id });
      vi.advanceTimersByTime(1_000);
      expect(await a.load({ id: third!.id })).toEqual(third);
      const started = Date.now();
      expect(await waiting).toEqual(first);
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(b.stats()).toMatchObject({ sharedHits: 1, requests: 0 });
    } finally {
      vi.useRealTimers();
    }
  });

  test('a replica that goes quiet after Redis was away still writes its answers, so nobody waits for its claims to expire', async () => {
    const [clientA, clientB] = [await connect(server!.url), await connect(server!.url)];
    const a = replica(clientA, 'quiet:');
    const b = replica(clientB, 'quiet:');
    const [first, second] = cdf().data.files;
    await fetchWhileRedisPauses(a, first!, second!);

    // a makes no further call: it writes what it kept by itself, and b is answered from it, with no
    // request (had b waited for a's claim to expire, 5 s, it would have fetched `first` itself).
    expect(await b.load({ id: first!.id })).toEqual(first);
    expect(b.stats()).toMatchObject({ sharedHits: 1, requests: 0 });
  });

  test('unreadable and foreign entries are a miss for their key only: right answers, the tier stays up, and they are overwritten', async () => {
    const keyPrefix = 'poisoned:';
    const raw = await connect(server!.url);
    const a = replica(await connect(server!.url), keyPrefix);
    const b = replica(await connect(server!.url), keyPrefix);
    const files = cdf().data.files.slice(0, 20);
    expect(await Promise.all(files.map((file) => a.load({ id: file.id })))).toEqual(files);
    const base = scopeBase(keyPrefix, { project: cdf().project, resource: 'files', principal: 'default' });
    const entry = (id: number) => `${base}:0:${keyPart(id)}`;
    await until(async () => (await raw.exists(files.map((file) => entry(file.id)))) === files.length, 'a’s answers in Redis');
    expect(await raw.exists(generationKey(base))).toBe(0);

    // Two entries swapped, and three corrupted in different ways.
    const [zero, one] = [await raw.get(entry(files[0]!.id)), await raw.get(entry(files[1]!.id))];
    await raw.set(entry(files[0]!.id), one!);
    await raw.set(entry(files[1]!.id), zero!);
    await raw.set(entry(files[2]!.id), 'not ours');
    await raw.set(entry(files[3]!.id), '["x"\n{');
    await raw.set(entry(files[4]!.id), `${JSON.stringify([String(files[4]!.id)])}\n[1,2]`);

    expect(await Promise.all(files.map((file) => b.load({ id: file.id })))).toEqual(files);
    expect(b.stats()).toMatchObject({ sharedHits: 15, requests: 1 });
    expect(byIdsRequestSizes(cdf())).toEqual([20, 5]);
    expect(events).toEqual([]);
    // The bad entries were overwritten with the answers: a third replica reads all twenty.
    const c = replica(await connect(server!.url), keyPrefix);
    await until(async () => (await raw.get(entry(files[2]!.id)))?.startsWith('[') === true, 'b’s answers in Redis');
    expect(await Promise.all(files.map((file) => c.load({ id: file.id })))).toEqual(files);
    expect(c.stats()).toMatchObject({ sharedHits: 20, requests: 0 });
  });

  test('`timeoutMs` is checked, and so is the client', async () => {
    const client = await connect(server!.url);
    for (const [value, shown] of [[0, '0'], [-5, '-5'], [Number.POSITIVE_INFINITY, 'Infinity'], ['100', '"100"']] as const) {
      const error = new TypeError(`\`timeoutMs\` must be an integer of milliseconds from 1 to 2147483647 (what a timer holds), got ${shown}.`);
      expect(() => redisCache({ client, timeoutMs: value as number })).toThrow(error);
      expect(() => redisConcurrency({ client, limit: 2, timeoutMs: value as number })).toThrow(error);
    }
    const noEvents = { isReady: true, sendCommand: () => Promise.resolve(null), duplicate: () => client.duplicate() };
    expect(() => redisCache({ client: noEvents as unknown as TestClient })).toThrow(
      new TypeError('`client` must be a node-redis client (from `createClient()`) or cluster (from `createCluster()`), got [object Object].'),
    );
  });
});
