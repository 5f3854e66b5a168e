import { describe, expect, test, vi } from 'vitest';
import { CdfApiError, createFilesLoader } from '../src/index.js';
import { byIdsRequests, nextMacrotask, optionsFor, until, useFakeClock, useMockCdf } from './support.js';

const cdf = useMockCdf({ counts: { files: 100 } });
/** Retries in a blink, so these tests run in real time without waiting for backoff. */
const quickRetry = { limit: 2, baseDelayMs: 1, maxDelayMs: 2 };

describe('retries', () => {
  test.each([
    [{ status: 429 }],
    [{ status: 502 }],
    [{ status: 503 }],
    [{ status: 504 }],
    [{ status: 500, headers: { 'cdf-is-auto-retryable': 'true' } }],
    [{ drop: true }],
  ])('%j is retried, and the load succeeds', async (fault) => {
    cdf().addFault({ request: [1, 2], ...fault });
    const loader = createFilesLoader(optionsFor(cdf(), { retry: quickRetry }));
    const file = cdf().data.files[0]!;

    expect(await loader.load({ id: file.id })).toEqual(file);
    expect(byIdsRequests(cdf())).toHaveLength(3);
    expect(loader.stats()).toMatchObject({ requests: 3, retries: 2, requestFailures: 0 });
  });

  test.each([400, 403, 404, 500])('%d is not retried', async (status) => {
    cdf().addFault({ request: 1, status });
    const loader = createFilesLoader(optionsFor(cdf(), { retry: quickRetry }));
    const error = (await loader.load({ id: 3 }).catch((reason: unknown) => reason)) as CdfApiError;
    expect(error).toBeInstanceOf(CdfApiError);
    expect(error.status).toBe(status);
    expect(byIdsRequests(cdf())).toHaveLength(1);
  });

  test('when retries run out only that chunk rejects; the slot was free for others meanwhile', async () => {
    cdf().addFault({ request: [2, 4, 5], status: 503 });
    const loader = createFilesLoader(optionsFor(cdf(), { retry: quickRetry, maxBatchSize: 10, maxConcurrency: 1 }));
    const files = cdf().data.files.slice(0, 30);

    const settled = await Promise.allSettled(files.map((file) => loader.load({ id: file.id })));

    const requests = byIdsRequests(cdf());
    expect(requests.map((entry) => entry.status)).toEqual([200, 503, 200, 503, 503]);
    // Request 3 is the third chunk, sent while the second waited to retry.
    expect(requests[3]!.items).toEqual(requests[1]!.items);
    expect(requests[4]!.items).toEqual(requests[1]!.items);
    expect(requests[2]!.items).toEqual(files.slice(20).map((file) => ({ id: file.id })));
    settled.forEach((result, index) => {
      if (index >= 10 && index < 20) expect((result as PromiseRejectedResult).reason).toMatchObject({ status: 503, requestId: requests[4]!.requestId });
      else expect(result).toEqual({ status: 'fulfilled', value: files[index] });
    });
  });

  test('a retry leaves out keys another request answered meanwhile', async () => {
    cdf().addFault({ request: 1, status: 503 });
    const loader = createFilesLoader(optionsFor(cdf(), { retry: quickRetry, maxBatchSize: 1, maxConcurrency: 1 }));
    const file = cdf().data.files.find((candidate) => candidate.externalId !== undefined)!;

    const results = await Promise.all([loader.load({ externalId: file.externalId! }), loader.load({ id: file.id })]);

    expect(results).toEqual([file, file]);
    expect(byIdsRequests(cdf()).map((entry) => [entry.items, entry.status])).toEqual([
      [[{ externalId: file.externalId }], 503],
      [[{ id: file.id }], 200],
    ]);
  });

  test('an attempt that outlives `timeoutMs` is retried; when none is left it fails saying so', async () => {
    cdf().addFault({ request: [1, 2, 3], delayMs: 10_000 });
    const loader = createFilesLoader(optionsFor(cdf(), { timeoutMs: 50, retry: { ...quickRetry, limit: 1 } }));
    const error = (await loader.load({ id: 3 }).catch((reason: unknown) => reason)) as CdfApiError;

    expect(error).toBeInstanceOf(CdfApiError);
    expect(error).toMatchObject({ status: 0, code: 0, requestId: undefined });
    expect(error.message).toBe('CDF files/byids failed with no response: timed out after 50 ms');
    await until(() => byIdsRequests(cdf()).every((entry) => entry.clientClosed), 'the fake to see both attempts closed');
    expect(byIdsRequests(cdf())).toHaveLength(2);
  });

  test('the timeout covers a body that arrives too slowly', async () => {
    cdf().addFault({ request: 1, slowBodyMs: 10_000 });
    const loader = createFilesLoader(optionsFor(cdf(), { timeoutMs: 100, retry: quickRetry }));
    const file = cdf().data.files[0]!;
    expect(await loader.load({ id: file.id })).toEqual(file);
    expect(byIdsRequests(cdf()).map((entry) => entry.status)).toEqual([200, 200]);
    expect(byIdsRequests(cdf())[0]!.clientClosed).toBe(true);
  });

  test('a network error that outlasts the retries says what failed', async () => {
    cdf().addFault({ drop: true });
    const loader = createFilesLoader(optionsFor(cdf(), { retry: quickRetry }));
    const error = (await loader.load({ id: 3 }).catch((reason: unknown) => reason)) as CdfApiError;
    expect(error.message).toMatch(/^CDF files\/byids failed with no response: network error: /);
    expect(error.cause).toBeInstanceOf(Error);
    expect(byIdsRequests(cdf())).toHaveLength(3);
  });
});

describe('backoff timing', () => {
  useFakeClock();

  test.each([
    { wait: '`Retry-After` in seconds', headers: () => ({ 'retry-after': '2' }), retry: {}, quietMs: 1_999, dueMs: 2_000 },
    // An HTTP date has whole seconds: due 4 to 5 s from now.
    { wait: '`Retry-After` as an HTTP date', headers: () => ({ 'retry-after': new Date(Date.now() + 5_000).toUTCString() }), retry: {}, quietMs: 3_900, dueMs: 5_000 },
    { wait: '`Retry-After` capped at `retry.maxDelayMs`', headers: () => ({ 'retry-after': '3600' }), retry: { maxDelayMs: 3_000 }, quietMs: 2_999, dueMs: 3_000 },
    { wait: 'full jitter under the doubling cap, without `Retry-After`', headers: () => ({}), retry: { baseDelayMs: 400 }, quietMs: 398, dueMs: 400 },
  ])('the retry waits for $wait', async ({ headers, retry, quietMs, dueMs }) => {
    const random = vi.spyOn(Math, 'random').mockReturnValue(0.9999); // the top of the jitter range
    let fetches = 0;
    const countingFetch: typeof fetch = (input, init) => {
      fetches++;
      return fetch(input, init);
    };
    try {
      cdf().addFault({ request: 1, status: 429, headers: headers() });
      const loader = createFilesLoader(optionsFor(cdf(), { retry, fetch: countingFetch }));
      const file = cdf().data.files[0]!;
      const load = loader.load({ id: file.id });
      await until(() => loader.stats().retries === 1, 'the 429 to be read');

      vi.advanceTimersByTime(quietMs);
      await nextMacrotask(); // had the wait ended, the retry's fetch would have been called by now
      expect(fetches).toBe(1);
      vi.advanceTimersByTime(dueMs - quietMs);
      expect(await load).toEqual(file);
      expect(fetches).toBe(2);
    } finally {
      random.mockRestore();
    }
  });
});
