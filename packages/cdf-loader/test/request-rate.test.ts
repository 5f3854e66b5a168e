import { describe, expect, test, vi } from 'vitest';
import { createFilesLoader, createMemorySharedRate, type FilesLoader, type Identifier, type LoaderOptions, LoaderClosedError, type SharedRate } from '../src/index.js';
import { byIdsRequests, nextMacrotask, optionsFor, until, useFakeClock, useMockCdf } from './support.js';

const cdf = useMockCdf({ counts: { files: 100 } });

/** Ids the fake has no file for: its generated ids are far above these. */
const unknownIds = (count: number): Identifier[] => Array.from({ length: count }, (_, index) => ({ id: index + 1 }));

/** A loader sending one identifier a request, so each load is one request to count. */
function loaderWith(extra: Partial<LoaderOptions>): FilesLoader {
  return createFilesLoader(optionsFor(cdf(), { maxBatchSize: 1, adaptiveConcurrency: false, ...extra }));
}

/** Lets the event loop turn a few times: requests that may go reach the fake's log. */
async function settle(): Promise<void> {
  for (let turn = 0; turn < 10; turn++) await nextMacrotask();
}

/** The byids requests the fake has received, once it has received `count` (and no more after a few turns). */
async function expectSent(count: number): Promise<void> {
  await until(() => byIdsRequests(cdf()).length >= count, `${count} requests`);
  await settle();
  expect(byIdsRequests(cdf())).toHaveLength(count);
}

/** The first request at once, then each of the next `count - 1` exactly `intervalMs` after the one before, none a ms early. */
async function expectTurnsApart(count: number, intervalMs: number): Promise<void> {
  await expectSent(1);
  for (let sent = 2; sent <= count; sent++) {
    await vi.advanceTimersByTimeAsync(intervalMs - 1);
    await expectSent(sent - 1);
    await vi.advanceTimersByTimeAsync(1);
    await expectSent(sent);
  }
}

describe('requestRate', () => {
  describe('on a fake clock', () => {
    useFakeClock();

    test('requests go 1000 / perSecond ms apart, none early: the first at once, each next one a turn later', async () => {
      const loader = loaderWith({ requestRate: { perSecond: 10 }, maxConcurrency: 4 });
      const files = cdf().data.files.slice(0, 4);
      const loads = files.map((file) => loader.load({ id: file.id }));
      await expectTurnsApart(4, 100);
      expect(await Promise.all(loads)).toEqual(files);
      expect(byIdsRequests(cdf()).map((entry) => entry.items)).toEqual(files.map((file) => [{ id: file.id }]));
    });

    test('every retry is a request: it waits for a turn of its own', async () => {
      cdf().addFault({ request: 1, status: 503 });
      const loader = loaderWith({ requestRate: { perSecond: 10 }, retry: { baseDelayMs: 0, maxDelayMs: 0 } });
      const file = cdf().data.files[0]!;
      const load = loader.load({ id: file.id });
      await expectSent(1);
      await until(() => loader.stats().retries === 1, 'the retry');
      await vi.advanceTimersByTimeAsync(99);
      await expectSent(1);
      await vi.advanceTimersByTimeAsync(1);
      await expectSent(2);
      await expect(load).resolves.toEqual(file);
      expect(byIdsRequests(cdf()).map((entry) => entry.status)).toEqual([503, 200]);
    });

    test('loaders sharing a rate (createMemorySharedRate) take turns of one budget', async () => {
      const sharedRate = createMemorySharedRate(10);
      const [a, b] = [loaderWith({ sharedRate }), loaderWith({ sharedRate })];
      const files = cdf().data.files.slice(0, 4);
      const loads = [a.load({ id: files[0]!.id }), b.load({ id: files[1]!.id }), a.load({ id: files[2]!.id }), b.load({ id: files[3]!.id })];
      await expectTurnsApart(4, 100);
      expect(await Promise.all(loads)).toEqual(files);
    });

    test.each([
      ['requestRate', () => ({ requestRate: { perSecond: 10 } })],
      ['sharedRate', () => ({ sharedRate: createMemorySharedRate(10) })],
    ])('under %s, interactive requests take the turns before bulk ones waiting, and every fourth turn is bulk’s', async (_, rate) => {
      const loader = loaderWith({ ...rate(), maxConcurrency: 8 });
      const bulkIds = unknownIds(20);
      let bulkDone = false;
      const bulk = (async () => {
        let count = 0;
        for await (const result of loader.loadAll(bulkIds)) {
          expect(result).toEqual({ identifier: bulkIds[count], item: null });
          count++;
        }
        bulkDone = true;
        return count;
      })();
      await expectSent(1);
      const files = cdf().data.files.slice(0, 6);
      const interactive = files.map((file) => loader.load({ id: file.id }));
      await settle();
      const isInteractive = (items: unknown[]): boolean => files.some((file) => (items[0] as { id: number }).id === file.id);
      const lanes: string[] = [];
      for (let turn = 0; turn < 7; turn++) {
        await vi.advanceTimersByTimeAsync(100);
        await expectSent(2 + turn);
        lanes.push(isInteractive(byIdsRequests(cdf()).at(-1)!.items) ? 'interactive' : 'bulk');
      }
      expect(lanes).toEqual(['interactive', 'interactive', 'interactive', 'bulk', 'interactive', 'interactive', 'interactive']);
      expect(await Promise.all(interactive)).toEqual(files);
      while (!bulkDone) {
        await vi.advanceTimersByTimeAsync(100);
        await settle();
      }
      expect(await bulk).toBe(20);
      expect(byIdsRequests(cdf())).toHaveLength(26);
    });

    test('a shared rate that failed is tried again when its rest ends, not at the next turn of the fallback share', async () => {
      let down = true;
      let reserves = 0;
      const rate: SharedRate = {
        perSecond: 10,
        fallbackPerSecond: 0.2,
        reserve: () => {
          reserves++;
          return down ? Promise.reject(new Error('Redis went away')) : Promise.resolve(0);
        },
      };
      const loader = loaderWith({ sharedRate: rate, maxConcurrency: 1 });
      const files = cdf().data.files.slice(0, 2);
      const loads = files.map((file) => loader.load({ id: file.id }));
      // Three failures rest the shared rate for a second; the first request goes on the fallback share.
      await expectSent(1);
      expect(reserves).toBe(3);
      down = false;
      // The fallback share's next turn is 5 s away; the rest ends after 1 s, and the fleet's turn comes at once.
      await vi.advanceTimersByTimeAsync(1_000);
      await expectSent(2);
      expect(reserves).toBe(4);
      expect(await Promise.all(loads)).toEqual(files);
    });

    test('close() ends the wait for a turn: waiting loads reject, no timer is left behind', async () => {
      const loader = loaderWith({ requestRate: { perSecond: 1 } });
      const files = cdf().data.files.slice(0, 3);
      const loads = files.map((file) => loader.load({ id: file.id }));
      await expectSent(1);
      await expect(loads[0]).resolves.toEqual(files[0]);
      // Besides fetch's own, one timer: the next request's turn.
      const timersWaiting = vi.getTimerCount();
      await loader.close();
      for (const load of loads.slice(1)) await expect(load).rejects.toThrow(LoaderClosedError);
      expect(vi.getTimerCount()).toBe(timersWaiting - 1);
      await vi.advanceTimersByTimeAsync(5_000);
      expect(byIdsRequests(cdf())).toHaveLength(1);
    });
  });

  test("under the fake's rate limit, a loader with requestRate meets no 429; the same loads without it do", async () => {
    cdf().configure({ rateLimit: { requests: 5, intervalMs: 100 } });
    const files = cdf().data.files.slice(0, 30);
    const run = async (extra: Partial<LoaderOptions>): Promise<unknown[]> => {
      cdf().reset();
      const loader = loaderWith({ maxConcurrency: 8, retry: { limit: 0 }, ...extra });
      const results = await loader.loadMany(files.map((file) => ({ id: file.id })));
      await loader.close();
      return results;
    };
    try {
      // Without a rate, 8 in flight at once meet the limit at once (no retries, to count them plainly).
      await run({});
      expect(cdf().counters.throttled).toBeGreaterThan(0);
      // 30 a second: 33 ms apart, so 6 requests in the fake's 100 ms window would need 167 ms (a
      // margin for timers that fire late on a busy machine).
      expect(await run({ requestRate: { perSecond: 30 } })).toEqual(files);
      expect(cdf().counters.throttled).toBe(0);
      expect(cdf().counters.requests).toBe(30);
    } finally {
      cdf().configure({ rateLimit: undefined });
    }
  });

  test('a rate that is not a positive finite number is refused, naming the option and the value', () => {
    const make = (extra: object) => () => createFilesLoader(optionsFor(cdf(), extra));
    for (const [value, shown] of [[0, '0'], [-1, '-1'], [Number.NaN, 'NaN'], [Number.POSITIVE_INFINITY, 'Infinity'], ['5', '"5"']] as const) {
      expect(make({ requestRate: { perSecond: value } })).toThrow(
        new TypeError(`\`requestRate.perSecond\` must be a positive finite number of requests per second, got ${shown}.`),
      );
      expect(() => createMemorySharedRate(value as number)).toThrow(new TypeError(`\`perSecond\` must be a positive finite number of requests per second, got ${shown}.`));
    }
    expect(make({ requestRate: 10 })).toThrow(new TypeError('`requestRate` must be an object such as `{ perSecond: 10 }`, got 10.'));
    expect(make({ requestRate: { perSecond: 1, burst: 2 } })).toThrow(TypeError);
    expect(make({ sharedRate: { perSecond: 10 } })).toThrow(
      new TypeError(
        '`sharedRate` must be a shared request rate (such as `redisRate(…)` from @cdf-loader/redis) with `perSecond`, `fallbackPerSecond` and `reserve`, got {"perSecond":10}.',
      ),
    );
    expect(make({ sharedRate: { perSecond: 10, fallbackPerSecond: 0, reserve: () => Promise.resolve(0) } })).toThrow(TypeError);
  });
});
