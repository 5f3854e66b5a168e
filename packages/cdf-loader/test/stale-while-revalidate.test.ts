import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { describe, expect, test, vi } from 'vitest';
import { channels, createFilesLoader, type LoadEvent } from '../src/index.js';
import { byIdsRequests, optionsFor, until, useFakeCacheClock, useMockCdf } from './support.js';

const cdf = useMockCdf({ counts: { files: 100 } });
/** Fresh for a second, then served at once for five more while refreshed. */
const revalidating = { ttlMs: 1_000, staleWhileRevalidateMs: 5_000 };

useFakeCacheClock();

describe('stale while revalidate', () => {
  test('an entry past ttlMs is served at once, and one request refreshes it for every load of the burst', async () => {
    const loader = createFilesLoader(optionsFor(cdf(), { cache: revalidating }));
    const file = cdf().data.files.find((candidate) => candidate.externalId !== undefined)!;
    await loader.load({ id: file.id });
    vi.advanceTimersByTime(1_001);

    const events: string[] = [];
    const listener = (event: unknown): void => void events.push((event as LoadEvent).outcome);
    subscribe(channels.load, listener);
    const answers = await Promise.all([loader.load({ id: file.id }), loader.load({ id: file.id }), loader.load({ externalId: file.externalId! })]);
    unsubscribe(channels.load, listener);

    expect(answers).toEqual([file, file, file]);
    expect(events).toEqual(['staleWhileRevalidate', 'staleWhileRevalidate', 'staleWhileRevalidate']);
    await until(() => loader.stats().itemsReturned === 2, 'the refresh to be answered');
    // One refresh, by the file's id, whichever identifier found it stale: its answer refreshes them all.
    expect(byIdsRequests(cdf()).map((entry) => entry.items)).toEqual([[{ id: file.id }], [{ id: file.id }]]);
    expect(loader.stats()).toMatchObject({ loads: 4, staleWhileRevalidate: 3, cacheHits: 0, requests: 2 });
    // Refreshed: fresh again, no request.
    expect(await loader.load({ externalId: file.externalId! })).toEqual(file);
    expect(loader.stats()).toMatchObject({ cacheHits: 1, requests: 2 });
  });

  test('a stale entry found by externalId is refreshed by id', async () => {
    const loader = createFilesLoader(optionsFor(cdf(), { cache: revalidating }));
    const file = cdf().data.files.find((candidate) => candidate.externalId !== undefined)!;
    await loader.load({ externalId: file.externalId! });
    vi.advanceTimersByTime(1_001);
    expect(await loader.load({ externalId: file.externalId! })).toEqual(file);
    await until(() => loader.stats().itemsReturned === 2, 'the refresh to be answered');
    expect(byIdsRequests(cdf()).map((entry) => entry.items)).toEqual([[{ externalId: file.externalId }], [{ id: file.id }]]);
    expect(await loader.load({ id: file.id })).toEqual(file);
    expect(loader.stats()).toMatchObject({ cacheHits: 1, requests: 2 });
  });

  test('past ttlMs + staleWhileRevalidateMs the load waits for CDF as without the option', async () => {
    const loader = createFilesLoader(optionsFor(cdf(), { cache: revalidating }));
    const file = cdf().data.files[0]!;
    await loader.load({ id: file.id });
    vi.advanceTimersByTime(6_000);
    cdf().addFault({ request: 2, status: 500 });
    expect(await loader.load({ id: file.id }).catch((reason: unknown) => reason)).toMatchObject({ status: 500 });
    expect(loader.stats()).toMatchObject({ staleWhileRevalidate: 0, requests: 2 });
  });

  test('a refresh that meets an outage keeps the entry: the next load is served it again and refreshes again', async () => {
    const loader = createFilesLoader(optionsFor(cdf(), { cache: revalidating, retry: { limit: 0 } }));
    const file = cdf().data.files[0]!;
    await loader.load({ id: file.id });
    vi.advanceTimersByTime(1_001);
    cdf().addFault({ status: 503 });

    expect(await loader.load({ id: file.id })).toEqual(file);
    await until(() => loader.stats().requestFailures === 1, 'the refresh to fail');
    expect(await loader.load({ id: file.id })).toEqual(file);
    await until(() => loader.stats().requestFailures === 2, 'the second refresh to fail');
    expect(byIdsRequests(cdf()).map((entry) => entry.status)).toEqual([200, 503, 503]);
    expect(loader.stats().staleWhileRevalidate).toBe(2);
  });

  test.each([401, 403])('a refresh refused with %d drops the entry: nothing stale is served again', async (status) => {
    const loader = createFilesLoader(optionsFor(cdf(), { cache: { ...revalidating, staleIfErrorMs: 60_000 }, retry: { limit: 0 } }));
    const file = cdf().data.files[0]!;
    await loader.load({ id: file.id });
    vi.advanceTimersByTime(1_001);
    cdf().addFault({ status });

    expect(await loader.load({ id: file.id })).toEqual(file);
    await until(() => loader.stats().requestFailures === 1, 'the refresh to fail');
    expect(await loader.load({ id: file.id }).catch((reason: unknown) => reason)).toMatchObject({ status });
    // Nor after an outage, stale-if-error's case.
    cdf().clearFaults();
    cdf().addFault({ status: 503 });
    expect(await loader.load({ id: file.id }).catch((reason: unknown) => reason)).toMatchObject({ status: 503 });
    expect(loader.stats()).toMatchObject({ staleWhileRevalidate: 1, staleServed: 0 });
  });

  test('a cached "not found" is served at once too, and refreshed', async () => {
    const loader = createFilesLoader(optionsFor(cdf(), { cache: { notFoundTtlMs: 500, staleWhileRevalidateMs: 1_000 } }));
    expect(await loader.load({ id: 42 })).toBeNull();
    vi.advanceTimersByTime(501);
    expect(await loader.load({ id: 42 })).toBeNull();
    await until(() => loader.stats().notFound === 2, 'the refresh to be answered');
    expect(byIdsRequests(cdf())).toHaveLength(2);
  });

  test('keys never cached are loaded as without the option', async () => {
    const loader = createFilesLoader(optionsFor(cdf(), { cache: revalidating }));
    const file = cdf().data.files[0]!;
    expect(await loader.load({ id: file.id })).toEqual(file);
    expect(loader.stats()).toMatchObject({ staleWhileRevalidate: 0, requests: 1 });
  });

  test.each([
    [-1, '-1'],
    [Number.NaN, 'NaN'],
    [Number.POSITIVE_INFINITY, 'Infinity'],
  ])('`cache.staleWhileRevalidateMs` %s is a TypeError naming the option and the value', (value, shown) => {
    expect(() => createFilesLoader(optionsFor(cdf(), { cache: { staleWhileRevalidateMs: value } }))).toThrow(
      new TypeError(`\`cache.staleWhileRevalidateMs\` must be a number of milliseconds from 0 to 2147483647 (what a timer holds), got ${shown}.`),
    );
  });
});
