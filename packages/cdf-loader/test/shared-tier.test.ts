import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { describe, expect, test, vi } from 'vitest';
import {
  channels,
  createCdfLoaders,
  createFilesLoader,
  createMemorySharedCache,
  createMemorySharedConcurrency,
  LoaderClosedError,
  type CanonicalKey,
  type SharedCache,
  type SharedCacheScope,
  type SharedConcurrency,
  type SharedTierEvent,
} from '../src/index.js';
import { byIdsRequests, optionsFor, until, useMockCdf } from './support.js';

const cdf = useMockCdf({ counts: { files: 300 } });

/** Two replicas: each its own loader and local cache, over one shared tier. */
function twoReplicas(extra: { principal?: [string, string] } = {}) {
  const shared = createMemorySharedCache();
  const [principalA, principalB] = extra.principal ?? ['default', 'default'];
  const a = createFilesLoader(optionsFor(cdf(), { cache: { shared }, principal: principalA }));
  const b = createFilesLoader(optionsFor(cdf(), { cache: { shared: shared.replica() }, principal: principalB }));
  return { a, b };
}

/** Two replicas over one shared tier and one shared budget of `limit` slots. */
function twoReplicasWithBudget(limit: number) {
  const shared = createMemorySharedCache();
  const budget = createMemorySharedConcurrency(limit);
  const a = createFilesLoader(optionsFor(cdf(), { cache: { shared }, sharedConcurrency: budget }));
  const b = createFilesLoader(optionsFor(cdf(), { cache: { shared: shared.replica() }, sharedConcurrency: budget }));
  return { a, b, budget };
}

/** A tier that is the in-memory one (no claims) but for its writes, which `setMany` makes. */
function withWrites(memory: SharedCache, setMany: SharedCache['setMany']): SharedCache {
  return {
    id: memory.id,
    getMany: (scope, keys) => memory.getMany(scope, keys),
    setMany,
    delete: (scope, keys) => memory.delete(scope, keys),
    clear: (scope) => memory.clear(scope),
    subscribe: (listener) => memory.subscribe(listener),
  };
}

/** Collects `cdf-loader:sharedTier` events while `run` runs. */
async function sharedTierEvents(run: () => Promise<void>): Promise<SharedTierEvent[]> {
  const events: SharedTierEvent[] = [];
  const listener = (event: unknown): void => void events.push(event as SharedTierEvent);
  subscribe(channels.sharedTier, listener);
  try {
    await run();
  } finally {
    unsubscribe(channels.sharedTier, listener);
  }
  return events;
}

describe('the shared cache tier', () => {
  test('what one replica fetched is a hit for the other, by any alias, with no request', async () => {
    const { a, b } = twoReplicas();
    const files = cdf().data.files.slice(0, 50);
    await Promise.all(files.map((file) => a.load({ id: file.id })));
    const withExternalId = files.filter((file) => file.externalId !== undefined);

    expect(await Promise.all(files.map((file) => b.load({ id: file.id })))).toEqual(files);
    expect(await Promise.all(withExternalId.map((file) => b.load({ externalId: file.externalId! })))).toEqual(withExternalId);
    expect(await b.load({ id: 999_999_999 })).toBeNull();
    expect(byIdsRequests(cdf()).map((entry) => entry.items.length)).toEqual([50, 1]);
    expect(b.stats()).toMatchObject({ sharedHits: 50, requests: 1 });
  });

  test('"not found" is shared too', async () => {
    const { a, b } = twoReplicas();
    expect(await a.load({ externalId: 'no-such-file' })).toBeNull();
    expect(await b.load({ externalId: 'no-such-file' })).toBeNull();
    expect(byIdsRequests(cdf())).toHaveLength(1);
  });

  test('`clear`, `prime` and `clearAll` on one replica reach the other replica\'s local cache', async () => {
    const { a, b } = twoReplicas();
    const [first, second] = cdf().data.files;
    await Promise.all([a.load({ id: first!.id }), a.load({ id: second!.id })]);
    await Promise.all([b.load({ id: first!.id }), b.load({ id: second!.id })]);
    expect(byIdsRequests(cdf())).toHaveLength(1);

    a.clear({ id: first!.id });
    await new Promise((resolve) => setImmediate(resolve)); // the invalidation is delivered like a pub/sub message
    expect(await b.load({ id: first!.id })).toEqual(first);
    expect(byIdsRequests(cdf())).toHaveLength(2);

    const renamed = { ...second!, name: 'renamed.pdf' };
    a.prime(renamed);
    await new Promise((resolve) => setImmediate(resolve));
    expect(await b.load({ id: second!.id })).toEqual(renamed);
    expect(byIdsRequests(cdf())).toHaveLength(2);

    a.clearAll();
    await new Promise((resolve) => setImmediate(resolve));
    await b.load({ id: second!.id });
    expect(byIdsRequests(cdf())).toHaveLength(3);
  });

  test('`close()` resolves after the shared-tier writes already started, so the client can be closed next', async () => {
    const memory = createMemorySharedCache();
    let finishWrite: (() => void) | undefined;
    const slow = withWrites(memory, (scope, items, notFound) =>
      new Promise<void>((resolve) => {
        finishWrite = () => void memory.setMany(scope, items, notFound).then(resolve);
      }),
    );
    const loader = createFilesLoader(optionsFor(cdf(), { cache: { shared: slow } }));
    const file = cdf().data.files[0]!;
    expect(await loader.load({ id: file.id })).toEqual(file);
    let closed = false;
    const closing = loader.close().then(() => (closed = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(closed).toBe(false);
    finishWrite!();
    await closing;
    expect(await memory.getMany({ project: cdf().project, resource: 'files', principal: 'default' }, [file.id])).toEqual([file]);
  });

  test('a write that fails while `close()` waits for it is not kept: nothing is written to the tier after `close()`', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const memory = createMemorySharedCache();
      let failWrite: (() => void) | undefined;
      let writes = 0;
      const failing = withWrites(memory, () => {
        writes++;
        return new Promise<void>((_, reject) => (failWrite = () => reject(new Error('Redis went away'))));
      });
      const loader = createFilesLoader(optionsFor(cdf(), { cache: { shared: failing } }));
      const file = cdf().data.files[0]!;
      expect(await loader.load({ id: file.id })).toEqual(file);
      const closing = loader.close();
      // The write fails once `close()` waits for it.
      await new Promise((resolve) => setImmediate(resolve));
      failWrite!();
      await closing;
      // Answers a tier could not take are written a second later, while the loader is open.
      await vi.advanceTimersByTimeAsync(5_000);
      expect(writes).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });

  test('principals never share entries', async () => {
    const { a, b } = twoReplicas({ principal: ['alice', 'bob'] });
    const file = cdf().data.files[0]!;
    await a.load({ id: file.id });
    await b.load({ id: file.id });
    expect(byIdsRequests(cdf())).toHaveLength(2);
    expect(b.stats().sharedHits).toBe(0);
  });

  test('a tier that fails is a miss: loads go to CDF, the outage is told once, and the tier is used again when it answers', async () => {
    let down = true;
    const memory = createMemorySharedCache();
    const flaky: SharedCache = {
      id: memory.id,
      getMany: (scope, keys) => (down ? Promise.reject(new Error('redis down')) : memory.getMany(scope, keys)),
      setMany: (scope, items, notFound) => (down ? Promise.reject(new Error('redis down')) : memory.setMany(scope, items, notFound)),
      delete: (scope, keys) => memory.delete(scope, keys),
      clear: (scope) => memory.clear(scope),
      subscribe: (listener) => memory.subscribe(listener),
    };
    const loader = createFilesLoader(optionsFor(cdf(), { cache: { shared: flaky, max: 1 } }));
    const files = cdf().data.files.slice(0, 4);

    vi.useFakeTimers({ toFake: ['performance'] });
    try {
      const events = await sharedTierEvents(async () => {
        expect(await Promise.all(files.slice(0, 3).map((file) => loader.load({ id: file.id })))).toEqual(files.slice(0, 3));
        expect(await loader.load({ id: files[0]!.id })).toEqual(files[0]);
        down = false;
        // Left alone for a second after the failure: this load does not touch the tier.
        expect(await loader.load({ id: files[3]!.id })).toEqual(files[3]);
        vi.advanceTimersByTime(1_000);
        expect(await loader.load({ id: files[1]!.id })).toEqual(files[1]);
      });
      expect(events).toEqual([
        { tier: 'cache', state: 'down', error: new Error('redis down') },
        { tier: 'cache', state: 'up', error: undefined },
      ]);
      // Back in use: what this load wrote, another replica reads without a request.
      await new Promise((resolve) => setImmediate(resolve));
      const other = createFilesLoader(optionsFor(cdf(), { cache: { shared: memory.replica() } }));
      const before = byIdsRequests(cdf()).length;
      expect(await other.load({ id: files[1]!.id })).toEqual(files[1]);
      expect(byIdsRequests(cdf())).toHaveLength(before);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('the shared concurrency budget', () => {
  test('is checked: `acquire`, an integer `limit` ≥ 1 and, if any, an integer `fallbackLimit` ≥ 1', () => {
    const acquire = () => Promise.reject(new Error('unused'));
    const make = (sharedConcurrency: unknown) => () => createFilesLoader(optionsFor(cdf(), { sharedConcurrency: sharedConcurrency as SharedConcurrency }));
    const message = (got: string) =>
      new TypeError(`\`sharedConcurrency\` must be a shared budget (such as \`redisConcurrency(…)\` from @cdf-loader/redis) with integers \`limit\` and, if any, \`fallbackLimit\` ≥ 1, and \`acquire\`, got ${got}.`);
    expect(make({ limit: 0, acquire })).toThrow(message('{"limit":0,"acquire":[function acquire]}'));
    expect(make({ limit: 4, fallbackLimit: Number.NaN, acquire })).toThrow(message('{"limit":4,"fallbackLimit":NaN,"acquire":[function acquire]}'));
    expect(make({ limit: 4, fallbackLimit: 0.5, acquire })).toThrow(message('{"limit":4,"fallbackLimit":0.5,"acquire":[function acquire]}'));
    expect(make({ limit: 4, fallbackLimit: 2, acquire })).not.toThrow();
  });

  test('loaders of several replicas together hold at most `limit` requests in flight', async () => {
    cdf().addFault({ delayMs: 20, times: 40 });
    const budget = createMemorySharedConcurrency(2);
    const replicas = [0, 1, 2].map(() =>
      createFilesLoader(optionsFor(cdf(), { maxConcurrency: 4, maxBatchSize: 10, cache: false, sharedConcurrency: budget })),
    );
    const files = cdf().data.files.slice(0, 120);
    const results = await Promise.all(replicas.map((loader, index) => Promise.all(files.slice(index * 40, index * 40 + 40).map((file) => loader.load({ id: file.id })))));

    expect(results.flat()).toEqual(files);
    expect(cdf().counters.maxConcurrent).toBe(2);
    expect(budget.held).toBe(0);
  });

  test('a request that waited for the budget looks in the shared tier again: what another replica fetched meanwhile is not asked twice', async () => {
    cdf().addFault({ request: 1, delayMs: 100 });
    const { a, b, budget } = twoReplicasWithBudget(1);
    const files = cdf().data.files.slice(0, 10);
    const first = Promise.all(files.map((file) => a.load({ id: file.id })));
    await until(() => budget.held === 1, 'the first replica to hold the budget');
    // Misses in the shared tier now, then waits for the budget the first replica holds.
    const second = Promise.all(files.map((file) => b.load({ id: file.id })));

    expect(await first).toEqual(files);
    expect(await second).toEqual(files);
    expect(byIdsRequests(cdf())).toHaveLength(1);
    expect(b.stats()).toMatchObject({ requests: 0, sharedHits: 10 });
  });

  test('keys another replica is fetching are waited for, not fetched twice', async () => {
    cdf().addFault({ request: 1, delayMs: 150 });
    const { a, b } = twoReplicasWithBudget(4);
    const files = cdf().data.files.slice(0, 10);
    const first = Promise.all(files.map((file) => a.load({ id: file.id })));
    await until(() => byIdsRequests(cdf()).length === 1, 'the first replica to send');
    // Both requests can hold a slot at once: only the first replica's claims keep the second from asking.
    const second = Promise.all([...files, cdf().data.files[20]!].map((file) => b.load({ id: file.id })));

    expect(await first).toEqual(files);
    expect(await second).toEqual([...files, cdf().data.files[20]]);
    expect(byIdsRequests(cdf()).map((entry) => entry.items.length)).toEqual([10, 1]);
    expect(b.stats()).toMatchObject({ requests: 1, sharedHits: 10 });
  });

  test('a replica whose request failed gives its claims back: the replica waiting on them fetches now, not when they expire', async () => {
    cdf().addFault({ request: 1, status: 403, delayMs: 100 });
    const { a, b } = twoReplicas();
    const file = cdf().data.files[0]!;
    const failing = a.load({ id: file.id });
    await until(() => cdf().counters.inFlight === 1, 'a’s request to reach the fake');
    const waitingSince = performance.now();
    // b finds a's claim and waits on a (looking every 10 ms: the in-memory tier sends no message).
    const waiting = b.load({ id: file.id });
    await expect(failing).rejects.toMatchObject({ status: 403 });
    expect(await waiting).toEqual(file);
    // Well within the claim's 5 s.
    expect(performance.now() - waitingSince).toBeLessThan(2_500);
    expect(byIdsRequests(cdf()).map((entry) => entry.items)).toEqual([[{ id: file.id }], [{ id: file.id }]]);
    expect(b.stats()).toMatchObject({ requests: 1 });
  });

  test('an answer a stored message carries does not stand for a key cleared since the wait began: the key is read, and fetched', async () => {
    const memory = createMemorySharedCache();
    const scope = { project: cdf().project, resource: 'files', principal: 'default' };
    const file = cdf().data.files[0]!;
    const other = memory.replica();
    await other.claim(scope, [file.id], 60_000);
    // The in-memory tier with a hand-driven "stored" message, as Redis would send it.
    let tell: ((scope: SharedCacheScope, keys: readonly CanonicalKey[], items?: readonly (object | null | undefined)[]) => void) | undefined;
    const tier = Object.assign(memory.replica(), {
      subscribeStored(listener: NonNullable<typeof tell>) {
        tell = listener;
        return () => {};
      },
    });
    const loader = createFilesLoader(optionsFor(cdf(), { cache: { shared: tier } }));
    const waiting = loader.load({ id: file.id });
    await until(() => process.getActiveResourcesInfo().includes('Timeout'), 'the wait on the claim');
    loader.clear({ id: file.id });
    // The other replica's answer, fetched before the clear, arrives after it; its claim is over.
    await other.release(scope, [file.id]);
    tell!(scope, [file.id], [{ ...file, name: 'as it was before the clear' }]);
    expect(await waiting).toEqual(file);
    expect(byIdsRequests(cdf())).toHaveLength(1);
    expect(loader.stats()).toMatchObject({ sharedHits: 0 });
  });

  test('a claim nobody answers (the replica died) ends: the waiting replica fetches the keys itself', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    try {
      const memory = createMemorySharedCache();
      const deadReplica = memory.replica();
      const file = cdf().data.files[0]!;
      const scope = { project: cdf().project, resource: 'files', principal: 'default' };
      expect(await deadReplica.claim(scope, [file.id], 5_000)).toEqual([true]);
      const loader = createFilesLoader(optionsFor(cdf(), { cache: { shared: memory } }));
      const load = loader.load({ id: file.id });
      await until(() => vi.getTimerCount() > 0, 'the wait on the claim');
      expect(byIdsRequests(cdf())).toHaveLength(0);
      await vi.advanceTimersByTimeAsync(5_000);
      vi.useRealTimers();
      expect(await load).toEqual(file);
      expect(byIdsRequests(cdf())).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
  });

  test('a load waiting on another replica can abort, and `close()` ends the wait', async () => {
    const memory = createMemorySharedCache();
    const scope = { project: cdf().project, resource: 'files', principal: 'default' };
    const [one, two] = cdf().data.files;
    await memory.replica().claim(scope, [one!.id, two!.id], 60_000);
    const loader = createFilesLoader(optionsFor(cdf(), { cache: { shared: memory } }));
    const controller = new AbortController();
    const aborted = loader.load({ id: one!.id }, { signal: controller.signal });
    const closed = loader.load({ id: two!.id });
    // Waiting on the claims: polling the tier on a timer, no request sent.
    await until(() => process.getActiveResourcesInfo().includes('Timeout'), 'the wait on the claims');
    controller.abort();
    await expect(aborted).rejects.toMatchObject({ name: 'AbortError' });
    await loader.close();
    await expect(closed).rejects.toThrow(new LoaderClosedError('files'));
    expect(byIdsRequests(cdf())).toHaveLength(0);
  });

  test('a budget that cannot be reached leaves the local limit in charge, and is told once', async () => {
    const unreachable: SharedConcurrency = { limit: 1, acquire: () => Promise.reject(new Error('redis down')) };
    const loaders = createCdfLoaders(optionsFor(cdf(), { maxBatchSize: 5, sharedConcurrency: unreachable }));
    const files = cdf().data.files.slice(0, 20);
    const events = await sharedTierEvents(async () => {
      expect(await Promise.all(files.map((file) => loaders.files.load({ id: file.id })))).toEqual(files);
    });
    expect(events).toEqual([{ tier: 'concurrency', state: 'down', error: new Error('redis down') }]);
    expect(byIdsRequests(cdf())).toHaveLength(4);
  });

  test('a caller that gives up while waiting for the budget holds nothing', async () => {
    cdf().addFault({ request: 1, delayMs: 30_000 });
    const budget = createMemorySharedConcurrency(1);
    const first = createFilesLoader(optionsFor(cdf(), { sharedConcurrency: budget }));
    const second = createFilesLoader(optionsFor(cdf(), { sharedConcurrency: budget }));
    const [a, b] = cdf().data.files;
    const controllerA = new AbortController();
    const controllerB = new AbortController();
    const holding = first.load({ id: a!.id }, { signal: controllerA.signal });
    await until(() => budget.held === 1, 'the first slot');
    const waiting = second.load({ id: b!.id }, { signal: controllerB.signal });
    controllerB.abort();
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
    controllerA.abort();
    await expect(holding).rejects.toMatchObject({ name: 'AbortError' });
    await until(() => budget.held === 0, 'every slot back');
  });
});
