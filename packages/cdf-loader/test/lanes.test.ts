import { describe, expect, test, vi } from 'vitest';
import { type ConcurrencyLimit, createFilesLoader, createMemorySharedConcurrency, createConcurrencyLimit, type FilesLoader, type Identifier, type LoaderOptions } from '../src/index.js';
import { byIdsRequests, deferred, nextMacrotask, optionsFor, until, useMockCdf } from './support.js';

const cdf = useMockCdf({ counts: { files: 100 } });

/** Ids the fake has no file for: its generated ids are far above these. */
const unknownIds = (count: number, from = 1): Identifier[] => Array.from({ length: count }, (_, index) => ({ id: from + index }));

/**
 * A `fetch` that holds every request until the test lets it go, one at a time: which request a
 * freed slot went to is then a fact of the log, not of timing.
 */
function heldFetch() {
  const held: { items: unknown[]; release: () => void }[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const gate = deferred();
    held.push({ items: (JSON.parse(String(init!.body)) as { items: unknown[] }).items, release: gate.resolve });
    await gate.promise;
    return globalThis.fetch(input, init);
  };
  return { fetch, held };
}

/** Lets the held request `index` go and returns the items of the request sent in the slot it freed. */
async function nextAfterRelease(held: { items: unknown[]; release: () => void }[], index: number): Promise<unknown[]> {
  const before = held.length;
  held[index]!.release();
  await until(() => held.length > before, 'the freed slot to be taken');
  return held[before]!.items;
}

/** Runs `loadAll` to its end in the background; resolves with how many results it yielded. */
async function drain(loader: FilesLoader, ids: Identifier[], options?: Parameters<FilesLoader['loadAll']>[1]): Promise<number> {
  let count = 0;
  for await (const result of loader.loadAll(ids, options)) {
    expect(result).toEqual({ identifier: ids[count], item: null });
    count++;
  }
  return count;
}

/** Lets every held request go as it comes, until `done` settles. */
async function releaseAll(held: { release: () => void }[], done: Promise<unknown>): Promise<void> {
  let finished = false;
  void done.finally(() => (finished = true));
  while (!finished) {
    for (const request of held) request.release();
    await nextMacrotask();
  }
}

function loaderWith(fetch: typeof globalThis.fetch, extra: Partial<LoaderOptions>): FilesLoader {
  return createFilesLoader(optionsFor(cdf(), { fetch, adaptiveConcurrency: false, ...extra }));
}

describe('lanes', () => {
  test('an interactive load takes the next free slot ahead of the bulk requests waiting', async () => {
    const { fetch, held } = heldFetch();
    const loader = loaderWith(fetch, { maxConcurrency: 2 });
    const bulk = drain(loader, unknownIds(5_000));
    await until(() => held.length === 2, 'bulk to fill both slots');
    const file = cdf().data.files[0]!;

    const interactive = loader.load({ id: file.id });
    await nextMacrotask();
    expect(await nextAfterRelease(held, 0)).toEqual([{ id: file.id }]);
    held[2]!.release();
    await expect(interactive).resolves.toEqual(file);
    await releaseAll(held, bulk);
    expect(await bulk).toBe(5_000);
    expect(byIdsRequests(cdf()).map((entry) => entry.items.length)).toEqual([1_000, 1, 1_000, 1_000, 1_000, 1_000]);
  });

  test('an interactive load of a key a waiting bulk request carries takes the key out: a request of its own, first', async () => {
    const { fetch, held } = heldFetch();
    const loader = loaderWith(fetch, { maxConcurrency: 2 });
    const bulk = drain(loader, unknownIds(5_000));
    await until(() => held.length === 2, 'bulk to fill both slots');

    const interactive = loader.load({ id: 4_500 });
    await nextMacrotask();
    expect(await nextAfterRelease(held, 0)).toEqual([{ id: 4_500 }]);
    held[2]!.release();
    await expect(interactive).resolves.toBeNull();
    await releaseAll(held, bulk);
    expect(await bulk).toBe(5_000);
    const requests = byIdsRequests(cdf()).map((entry) => entry.items as { id: number }[]);
    expect(requests.map((items) => items.length)).toEqual([1_000, 1, 1_000, 1_000, 1_000, 999]);
    expect(requests.flat().filter((item) => item.id === 4_500)).toHaveLength(1);
  });

  test('bulk is never starved: with no bulk request in flight, the next free slot goes to bulk even while interactive ones wait', async () => {
    const { fetch, held } = heldFetch();
    const loader = loaderWith(fetch, { maxConcurrency: 2, maxBatchSize: 10 });
    // Three interactive requests: two take the slots, the third waits.
    const interactive = loader.loadMany(unknownIds(30, 10_000));
    await until(() => held.length === 2, 'interactive requests to fill both slots');
    const bulk = drain(loader, unknownIds(10));
    await nextMacrotask();

    expect(await nextAfterRelease(held, 0)).toEqual(unknownIds(10));
    await releaseAll(held, Promise.all([bulk, interactive]));
    expect(await bulk).toBe(10);
  });

  test("`lane: 'interactive'` opts out: its requests queue with the other interactive ones, oldest first", async () => {
    const { fetch, held } = heldFetch();
    const loader = loaderWith(fetch, { maxConcurrency: 2, maxBatchSize: 10 });
    const interactive = loader.loadMany(unknownIds(30, 10_000));
    await until(() => held.length === 2, 'interactive requests to fill both slots');
    const bulk = drain(loader, unknownIds(10), { lane: 'interactive' });
    await nextMacrotask();

    expect(await nextAfterRelease(held, 0)).toEqual(unknownIds(10, 10_020));
    await releaseAll(held, Promise.all([bulk, interactive]));
    expect(await bulk).toBe(10);
  });

  test('under a shared budget, bulk attempts waiting for it give their slots to an interactive load, which asks the budget first', async () => {
    const { fetch, held } = heldFetch();
    const sharedConcurrency = createMemorySharedConcurrency(1);
    const loader = loaderWith(fetch, { maxConcurrency: 3, sharedConcurrency });
    const bulk = drain(loader, unknownIds(6_000));
    // One bulk request holds the budget's slot; two more hold local slots, waiting for it.
    await until(() => held.length === 1, 'bulk to hold the budget');
    await nextMacrotask();
    const file = cdf().data.files[1]!;

    const interactive = loader.load({ id: file.id });
    for (let turn = 0; turn < 3; turn++) await nextMacrotask();
    expect(await nextAfterRelease(held, 0)).toEqual([{ id: file.id }]);
    held[1]!.release();
    await expect(interactive).resolves.toEqual(file);
    await releaseAll(held, bulk);
    expect(await bulk).toBe(6_000);
    expect(sharedConcurrency.held).toBe(0);
  });

  test('while interactive requests come, bulk rests between its requests as long as the last one held its slot, then takes it', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    try {
      const limit = createConcurrencyLimit({ maxConcurrency: 2 });
      const interactive = deferred();
      const firstBulk = deferred();
      const ran: string[] = [];
      const run = gatedTasks(limit, ran);
      const interactiveRun = run('interactive', interactive.promise, 'interactive');
      const firstBulkRun = run('first bulk', firstBulk.promise, 'background');
      await until(() => ran.length === 2, 'the interactive and the first bulk task to hold both slots');
      vi.advanceTimersByTime(30);
      firstBulk.resolve();
      await firstBulkRun;

      // The first bulk task held its slot 30 ms, and the interactive one got its slot 30 ms ago.
      const secondBulkRun = run('second bulk', Promise.resolve(), 'background');
      await until(() => vi.getTimerCount() === 1, 'the second bulk task to wait out the rest');
      vi.advanceTimersByTime(29);
      await nextMacrotask();
      expect(ran).toEqual(['first bulk', 'interactive']);
      expect(limit.waiting).toBe(1);
      vi.advanceTimersByTime(1);
      await secondBulkRun;
      expect(ran).toEqual(['first bulk', 'interactive', 'second bulk']);
      expect(vi.getTimerCount()).toBe(0);
      interactive.resolve();
      await interactiveRun;
    } finally {
      vi.useRealTimers();
    }
  });

  test('once interactive requests stop, bulk no longer rests: a bulk request that held its slot long goes as soon as the quiet time ends', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    try {
      const limit = createConcurrencyLimit({ maxConcurrency: 2 });
      const firstBulk = deferred();
      const ran: string[] = [];
      const run = gatedTasks(limit, ran);
      await run('interactive', Promise.resolve(), 'interactive');
      const firstBulkRun = run('first bulk', firstBulk.promise, 'background');
      await until(() => ran.length === 2, 'the first bulk task to hold a slot');
      vi.advanceTimersByTime(60);
      firstBulk.resolve();
      await firstBulkRun;

      // A rest of 60 ms would end 120 ms after the interactive request; the quiet time ends at 100 ms.
      const secondBulkRun = run('second bulk', Promise.resolve(), 'background');
      await until(() => vi.getTimerCount() === 1, 'the second bulk task to wait');
      vi.advanceTimersByTime(40);
      await secondBulkRun;
      expect(ran).toEqual(['interactive', 'first bulk', 'second bulk']);
    } finally {
      vi.useRealTimers();
    }
  });

  test('a request that gives up while bulk waits out the quiet time after interactive traffic leaves the queue, and no timer is left behind', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const limit = createConcurrencyLimit({ maxConcurrency: 2 });
      const interactive = deferred();
      const firstBulk = deferred();
      const ran: string[] = [];
      const run = (name: string, gate: Promise<void>, lane: 'interactive' | 'background', signal?: AbortSignal): Promise<void> =>
        limit.run(
          async () => {
            ran.push(name);
            await gate;
          },
          () => lane,
          signal,
        );
      const interactiveRun = run('interactive', interactive.promise, 'interactive');
      const firstBulkRun = run('first bulk', firstBulk.promise, 'background');
      const closing = new AbortController();
      const secondBulkRun = run('second bulk', new Promise(() => undefined), 'background', closing.signal);
      await until(() => ran.length === 2, 'the interactive and the first bulk task to hold both slots');

      // The interactive task frees its slot: bulk keeps to its one slot until interactive traffic has been quiet a while.
      interactive.resolve();
      await interactiveRun;
      await until(() => vi.getTimerCount() === 1, 'the second bulk task to wait for the quiet time');
      expect(limit.waiting).toBe(1);

      const reason = new Error('the loader closed');
      closing.abort(reason);

      await expect(secondBulkRun).rejects.toBe(reason);
      expect(limit.waiting).toBe(0);
      expect(vi.getTimerCount()).toBe(0);
      firstBulk.resolve();
      await firstBulkRun;
      expect(ran).toEqual(['first bulk', 'interactive']);
    } finally {
      vi.useRealTimers();
    }
  });

  test('while interactive loads come, loadAll reads ahead for the one slot bulk keeps (2 × maxBatchSize waiting for CDF), and for every slot once they stop', async () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    try {
      const loader = createFilesLoader(optionsFor(cdf(), { maxConcurrency: 4, maxBatchSize: 10 }));
      // An interactive request takes a slot now; the clock stands still until the test moves it.
      await loader.load({ id: 90_000 });
      const ids = unknownIds(400);
      let pulled = 0;
      async function* source(): AsyncGenerator<Identifier> {
        for (const id of ids) {
          pulled++;
          yield id;
        }
      }
      const mostAhead = { interactive: 0, quiet: 0 };
      let yielded = 0;
      for await (const result of loader.loadAll(source())) {
        expect(result).toEqual({ identifier: ids[yielded], item: null });
        yielded++;
        const phase = yielded <= 200 ? 'interactive' : 'quiet';
        mostAhead[phase] = Math.max(mostAhead[phase], pulled - yielded);
        // No interactive request for the quiet time: bulk may take every slot again.
        if (yielded === 200) vi.advanceTimersByTime(100);
      }

      expect(yielded).toBe(400);
      expect(mostAhead).toEqual({ interactive: 2 * 10, quiet: 2 * 4 * 10 });
      expect(byIdsRequests(cdf()).map((entry) => entry.items.length)).toEqual([1, ...Array<number>(40).fill(10)]);
    } finally {
      vi.useRealTimers();
    }
  });

  test('a `lane` that is not one is refused at the call, naming the option and the value', () => {
    const loader = createFilesLoader(optionsFor(cdf()));
    expect(() => loader.loadAll([], { lane: 'urgent' as never })).toThrow(new TypeError("`lane` must be 'background' or 'interactive', got \"urgent\"."));
    expect(() => loader.loadAll([], { lane: null as never })).toThrow(TypeError);
  });
});

/** Runs a task named `name` in `lane` under `limit`: it notes its name in `ran` as it starts, and ends when `gate` resolves. */
function gatedTasks(limit: ConcurrencyLimit, ran: string[]) {
  return (name: string, gate: Promise<void>, lane: 'interactive' | 'background'): Promise<void> =>
    limit.run(
      async () => {
        ran.push(name);
        await gate;
      },
      () => lane,
    );
}
