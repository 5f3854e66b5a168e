import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { Fault } from '@cdf-loader/mock-cdf';
import { describe, expect, test, vi } from 'vitest';
import { CdfApiError, channels, createFilesLoader, createMemorySharedCache, type LoadEvent, NotFoundError } from '../src/index.js';
import { byIdsRequests, optionsFor, useFakeCacheClock, useMockCdf } from './support.js';

const cdf = useMockCdf({ counts: { files: 100 } });
/** Retries in a blink, so a failure outlasts them in real time. */
const quickRetry = { limit: 2, baseDelayMs: 1, maxDelayMs: 2 };
/** Fresh for a second, kept five more for stale-if-error. */
const graceCache = { ttlMs: 1_000, staleIfErrorMs: 5_000 };

useFakeCacheClock();

/** Load events of `outcome: 'stale'` published while `run` runs. */
async function staleEvents(run: () => Promise<void>): Promise<LoadEvent[]> {
  const events: LoadEvent[] = [];
  const listener = (event: unknown): void => {
    if ((event as LoadEvent).outcome === 'stale') events.push(event as LoadEvent);
  };
  subscribe(channels.load, listener);
  try {
    await run();
  } finally {
    unsubscribe(channels.load, listener);
  }
  return events;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.unreachable('the load should have rejected'),
    (reason: unknown) => reason,
  );
}

describe('stale if error: an outage serves what the cache held', () => {
  test.each<{ kind: string; fault: Fault; attempts: number; timeoutMs?: number }>([
    { kind: '503 beyond the retries', fault: { status: 503 }, attempts: 3 },
    { kind: '500 (not retried)', fault: { status: 500 }, attempts: 1 },
    { kind: 'a reset connection', fault: { drop: true }, attempts: 3 },
    { kind: 'a timeout', fault: { delayMs: 10_000 }, attempts: 3, timeoutMs: 50 },
    { kind: 'a 429 storm beyond the retries', fault: { status: 429 }, attempts: 3 },
  ])('$kind: the expired item is served, counted and told, and the next load asks CDF again', async ({ fault, attempts, timeoutMs }) => {
    const loader = createFilesLoader(optionsFor(cdf(), { cache: graceCache, retry: quickRetry, ...(timeoutMs === undefined ? {} : { timeoutMs }) }));
    const file = cdf().data.files[0]!;
    await loader.load({ id: file.id });
    vi.advanceTimersByTime(1_001);
    cdf().addFault(fault);

    const events = await staleEvents(async () => {
      const [first, joined] = await Promise.all([loader.load({ id: file.id }), loader.load({ id: file.id })]);
      expect(first).toEqual(file);
      expect(joined).toEqual(file);
    });

    expect(events).toEqual([{ project: cdf().project, resource: 'files', outcome: 'stale' }]);
    expect(byIdsRequests(cdf())).toHaveLength(1 + attempts);
    expect(loader.stats()).toMatchObject({ staleServed: 1, requestFailures: 1, retries: attempts - 1 });
    // Served, not refreshed: the next load asks again, and is served stale again.
    expect(await loader.load({ id: file.id })).toEqual(file);
    expect(byIdsRequests(cdf())).toHaveLength(1 + 2 * attempts);
    expect(loader.stats().staleServed).toBe(2);
  });

  test.each([401, 403, 400, 404, 422])('%d is not an outage: the load rejects, nothing stale is served', async (status) => {
    const loader = createFilesLoader(optionsFor(cdf(), { cache: graceCache, retry: quickRetry }));
    const file = cdf().data.files[0]!;
    await loader.load({ id: file.id });
    vi.advanceTimersByTime(1_001);
    cdf().addFault({ status });

    const error = await rejection(loader.load({ id: file.id }));

    expect(error).toBeInstanceOf(CdfApiError);
    expect(error).toMatchObject({ status, isOutage: false });
    // A 401 is asked again once with a new token.
    expect(byIdsRequests(cdf())).toHaveLength(status === 401 ? 3 : 2);
    expect(loader.stats().staleServed).toBe(0);
  });

  test('keys never cached reject with the outage, beside cached keys of the same request that are served', async () => {
    const loader = createFilesLoader(optionsFor(cdf(), { cache: graceCache, retry: quickRetry }));
    const [cached, never] = cdf().data.files;
    await loader.load({ id: cached!.id });
    vi.advanceTimersByTime(1_001);
    cdf().addFault({ status: 503 });

    const results = await loader.loadMany([{ id: cached!.id }, { id: never!.id }]);

    expect(results[0]).toEqual(cached);
    expect(results[1]).toBeInstanceOf(CdfApiError);
    expect(results[1]).toMatchObject({ status: 503, isOutage: true });
    expect(byIdsRequests(cdf()).slice(1).map((entry) => entry.items)).toEqual(Array(3).fill([{ id: cached!.id }, { id: never!.id }]));
    expect(loader.stats().staleServed).toBe(1);
  });

  test('the grace ends at `ttlMs + staleIfErrorMs`: served 1 ms before, rejected at it', async () => {
    const loader = createFilesLoader(optionsFor(cdf(), { cache: graceCache, retry: { limit: 0 } }));
    const file = cdf().data.files[0]!;
    await loader.load({ id: file.id });
    cdf().addFault({ status: 503 });

    vi.advanceTimersByTime(999);
    expect(await loader.load({ id: file.id })).toEqual(file);
    expect(byIdsRequests(cdf())).toHaveLength(1);

    vi.advanceTimersByTime(5_000);
    expect(await loader.load({ id: file.id })).toEqual(file);
    expect(byIdsRequests(cdf())).toHaveLength(2);

    vi.advanceTimersByTime(1);
    expect(await rejection(loader.load({ id: file.id }))).toMatchObject({ status: 503 });
    expect(byIdsRequests(cdf())).toHaveLength(3);
    expect(loader.stats()).toMatchObject({ staleServed: 1, requestFailures: 2 });
  });

  test('without `staleIfErrorMs` (the default) an expired item is gone: the outage rejects', async () => {
    const loader = createFilesLoader(optionsFor(cdf(), { cache: { ttlMs: 1_000 }, retry: { limit: 0 } }));
    const file = cdf().data.files[0]!;
    await loader.load({ id: file.id });
    vi.advanceTimersByTime(1_001);
    cdf().addFault({ status: 503 });
    expect(await rejection(loader.load({ id: file.id }))).toMatchObject({ status: 503 });
    expect(loader.stats().staleServed).toBe(0);
  });

  test('a cached "not found" is served through an outage within its own grace: null, or NotFoundError with missing: error', async () => {
    for (const missing of ['null', 'error'] as const) {
      cdf().reset();
      const loader = createFilesLoader(optionsFor(cdf(), { cache: { notFoundTtlMs: 500, staleIfErrorMs: 1_000 }, retry: { limit: 0 }, missing }));
      await loader.load({ id: 42 }).catch(() => undefined);
      vi.advanceTimersByTime(501);
      cdf().addFault({ status: 503 });
      const answer = await loader.load({ id: 42 }).catch((reason: unknown) => reason);
      if (missing === 'null') expect(answer).toBeNull();
      else expect(answer).toBeInstanceOf(NotFoundError);
      vi.advanceTimersByTime(1_000);
      expect(await rejection(loader.load({ id: 42 }))).toMatchObject({ status: 503 });
      expect(byIdsRequests(cdf())).toHaveLength(3);
      expect(loader.stats().staleServed).toBe(1);
    }
  });

  test('`clear` drops the stale entry too: a cleared item is never served again', async () => {
    const loader = createFilesLoader(optionsFor(cdf(), { cache: graceCache, retry: { limit: 0 } }));
    const file = cdf().data.files.find((candidate) => candidate.externalId !== undefined)!;
    await loader.load({ id: file.id });
    vi.advanceTimersByTime(1_001);
    loader.clear({ externalId: file.externalId! });
    cdf().addFault({ status: 503 });
    expect(await rejection(loader.load({ id: file.id }))).toMatchObject({ status: 503 });
  });

  test('a stale item answers by every identifier it was cached under', async () => {
    const loader = createFilesLoader(optionsFor(cdf(), { cache: graceCache, retry: { limit: 0 } }));
    const file = cdf().data.files.find((candidate) => candidate.externalId !== undefined)!;
    await loader.load({ id: file.id });
    vi.advanceTimersByTime(1_001);
    cdf().addFault({ status: 503 });
    expect(await loader.load({ externalId: file.externalId! })).toEqual(file);
  });
});

describe('stale if error through the shared tier', () => {
  test('a replica that starts during an outage serves what another replica stored, within the grace only', async () => {
    const shared = createMemorySharedCache({ ttlMs: 1_000 });
    const options = { cache: { ...graceCache, shared }, retry: { limit: 0 } };
    const first = createFilesLoader(optionsFor(cdf(), options));
    const file = cdf().data.files[0]!;
    await first.load({ id: file.id });
    await first.close();
    vi.advanceTimersByTime(1_001);
    cdf().addFault({ status: 503 });

    const started = createFilesLoader(optionsFor(cdf(), { ...options, cache: { ...graceCache, shared: shared.replica() } }));
    expect(await started.load({ id: file.id })).toEqual(file);
    expect(started.stats()).toMatchObject({ staleServed: 1, sharedHits: 0 });
    expect(byIdsRequests(cdf())).toHaveLength(2);

    vi.advanceTimersByTime(5_000);
    expect(await rejection(started.load({ id: file.id }))).toMatchObject({ status: 503 });
  });

  test('a tier written without a grace keeps nothing stale', async () => {
    const shared = createMemorySharedCache({ ttlMs: 1_000 });
    const writer = createFilesLoader(optionsFor(cdf(), { cache: { shared }, retry: { limit: 0 } }));
    const file = cdf().data.files[0]!;
    await writer.load({ id: file.id });
    vi.advanceTimersByTime(1_001);
    cdf().addFault({ status: 503 });
    const reader = createFilesLoader(optionsFor(cdf(), { cache: { ...graceCache, shared: shared.replica() }, retry: { limit: 0 } }));
    expect(await rejection(reader.load({ id: file.id }))).toMatchObject({ status: 503 });
  });
});

describe('`cache.staleIfErrorMs` is checked', () => {
  test.each([
    [-1, '-1'],
    [Number.NaN, 'NaN'],
    [Number.POSITIVE_INFINITY, 'Infinity'],
    ['5000', '"5000"'],
  ])('%s is a TypeError naming the option and the value', (value, shown) => {
    expect(() => createFilesLoader(optionsFor(cdf(), { cache: { staleIfErrorMs: value as number } }))).toThrow(
      new TypeError(`\`cache.staleIfErrorMs\` must be a number of milliseconds from 0 to 2147483647 (what a timer holds), got ${shown}.`),
    );
  });
});
