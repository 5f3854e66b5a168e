import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { describe, expect, test, vi } from 'vitest';
import {
  type BatchEvent,
  type CacheEvent,
  CdfApiError,
  channels,
  createFilesLoader,
  type LoadEvent,
  type NotFoundEvent,
  type RequestEvent,
  type RetryEvent,
} from '../src/index.js';
import { byIdsRequests, optionsFor, useMockCdf } from './support.js';

const cdf = useMockCdf({ counts: { files: 100 } });

/** Collects what is published on every cdf-loader channel while `run` runs. */
async function recordChannels(run: () => Promise<void>) {
  const seen = {
    load: [] as LoadEvent[],
    batch: [] as BatchEvent[],
    request: [] as RequestEvent[],
    retry: [] as RetryEvent[],
    cache: [] as CacheEvent[],
    notFound: [] as NotFoundEvent[],
  };
  const stops = (Object.keys(seen) as (keyof typeof seen)[]).map((name) => {
    const listener = (message: unknown): void => {
      (seen[name] as unknown[]).push(message);
    };
    subscribe(channels[name], listener);
    return () => unsubscribe(channels[name], listener);
  });
  try {
    await run();
  } finally {
    for (const stop of stops) stop();
  }
  return seen;
}

describe('observability', () => {
  test('diagnostics channels carry loads, batches, requests, retries, cache lookups and not-found keys', async () => {
    cdf().addFault({ request: 1, status: 503 });
    const loader = createFilesLoader(optionsFor(cdf(), { retry: { baseDelayMs: 1, maxDelayMs: 1 } }));
    const [a, b] = cdf().data.files;
    const source = { project: cdf().project, resource: 'files' };

    const before = Date.now();
    const seen = await recordChannels(async () => {
      await Promise.all([loader.load({ id: a!.id }), loader.load({ id: b!.id }), loader.load({ id: b!.id }), loader.load({ id: 99_999 })]);
      await loader.load({ id: a!.id });
      await loader.load({ id: 0 }).catch(() => undefined);
    });

    const requests = byIdsRequests(cdf());
    expect(seen.load).toEqual(
      (['queued', 'queued', 'inflightJoin', 'queued', 'cacheHit', 'invalid'] as const).map((outcome) => ({ ...source, outcome })),
    );
    expect(seen.batch).toEqual([{ ...source, items: 3 }]);
    expect(seen.request.map(({ durationMs: _, startTime: __, ...rest }) => rest)).toEqual([
      { ...source, items: 3, status: 503, attempt: 1, requestId: requests[0]!.requestId, error: expect.any(CdfApiError) },
      { ...source, items: 3, status: 200, attempt: 2, requestId: requests[1]!.requestId, error: undefined },
    ]);
    // `startTime` is on the monotonic clock tracers use (timeOrigin + performance.now()), which may
    // stand a few milliseconds off `Date.now()`.
    for (const event of seen.request) {
      expect(event.startTime).toBeGreaterThanOrEqual(before - 50);
      expect(event.startTime).toBeLessThanOrEqual(Date.now() + 50);
    }
    expect(seen.retry).toEqual([{ ...source, items: 3, attempt: 1, status: 503, delayMs: expect.any(Number) }]);
    expect(seen.cache).toEqual([
      { ...source, hit: false },
      { ...source, hit: false },
      { ...source, hit: false },
      { ...source, hit: false },
      { ...source, hit: true },
    ]);
    expect(seen.notFound).toEqual([{ ...source, count: 1 }]);
  });

  test('`onRequest` sees every attempt, and `stats()` counts what happened', async () => {
    const events: RequestEvent[] = [];
    const loader = createFilesLoader(optionsFor(cdf(), { maxBatchSize: 3, onRequest: (event) => events.push(event) }));
    const files = cdf().data.files.slice(0, 5);
    await Promise.all([...files, ...files].map((file) => loader.load({ id: file.id })));
    await loader.load({ id: files[0]!.id });
    await loader.load({ id: 12 });

    const requests = byIdsRequests(cdf());
    const source = { project: cdf().project, resource: 'files', error: undefined };
    expect(events.map(({ durationMs, startTime: _, ...rest }) => ({ ...rest, timed: durationMs >= 0 }))).toEqual([
      { ...source, items: 3, status: 200, attempt: 1, requestId: requests[0]!.requestId, timed: true },
      { ...source, items: 2, status: 200, attempt: 1, requestId: requests[1]!.requestId, timed: true },
      { ...source, items: 1, status: 200, attempt: 1, requestId: requests[2]!.requestId, timed: true },
    ]);
    expect(loader.stats()).toEqual({
      loads: 12,
      cacheHits: 1,
      sharedHits: 0,
      inflightJoins: 5,
      invalid: 0,
      requests: 3,
      requestFailures: 0,
      retries: 0,
      itemsRequested: 6,
      itemsReturned: 5,
      notFound: 1,
      staleServed: 0,
      staleWhileRevalidate: 0,
      concurrencyLimit: 4,
    });
  });

  test('a throwing `onRequest` becomes a process warning, not a failed load', async () => {
    // Captured instead of printed: the warning is this test's subject, not noise for the run's output.
    const emitWarning = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    try {
      const loader = createFilesLoader(optionsFor(cdf(), { onRequest: () => { throw new Error('metrics broke'); } }));
      expect(await loader.load({ id: cdf().data.files[0]!.id })).toEqual(cdf().data.files[0]);
      expect(emitWarning.mock.calls).toEqual([[new Error('metrics broke'), 'CdfLoaderWarning']]);
    } finally {
      emitWarning.mockRestore();
    }
  });
});
