import { hasSubscribers } from 'node:diagnostics_channel';
import { channels } from 'cdf-loader';
import { describe, expect, test, vi } from 'vitest';
import { type Points, useInstrumentation } from './support.js';

const harness = useInstrumentation();

/** A metric's points, none when it has recorded nothing. */
function pointsOf(metrics: Map<string, Points>, name: string): Points {
  return metrics.get(name) ?? [];
}

describe('metrics', () => {
  test('keys served stale through an outage count in cdf_loader.stale_served, not as more loads; a key never cached fails', async () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    try {
      const { cdf, loader, metrics } = harness();
      const files = loader({ cache: { ttlMs: 1_000, staleIfErrorMs: 5_000 }, retry: { limit: 0 } });
      const [a, b, never] = cdf.data.files.map((file) => ({ id: file.id }));
      expect(await files.loadMany([a!, b!])).toHaveLength(2);
      vi.advanceTimersByTime(1_001);
      cdf.addFault({ status: 500 });
      const [first, second, failed] = await files.loadMany([a!, b!, never!]);
      expect([first, second].map((item) => (item as { id: number }).id)).toEqual([a!.id, b!.id]);
      expect(failed).toMatchObject({ status: 500 });

      const collected = await metrics();
      expect(pointsOf(collected, 'cdf_loader.stale_served')).toEqual([{ attributes: { 'cdf.resource': 'files' }, value: 2 }]);
      expect(pointsOf(collected, 'cdf_loader.loads')).toEqual([{ attributes: { 'cdf.resource': 'files', 'cdf_loader.load.outcome': 'queued' }, value: 5 }]);
    } finally {
      vi.useRealTimers();
    }
  });

  test('loads by outcome, requests, identifiers and not-found keys', async () => {
    const { cdf, loader, metrics, spans } = harness();
    const files = loader();
    const [a, b] = cdf.data.files;
    await Promise.all([files.load({ id: a!.id }), files.load({ id: b!.id }), files.load({ id: a!.id }), files.load({ id: 12 })]);
    await files.load({ id: a!.id });
    await expect(files.load({ id: 0 })).rejects.toThrow(TypeError);

    const collected = await metrics();
    expect(pointsOf(collected, 'cdf_loader.loads')).toEqual(
      expect.arrayContaining([
        { attributes: { 'cdf.resource': 'files', 'cdf_loader.load.outcome': 'queued' }, value: 3 },
        { attributes: { 'cdf.resource': 'files', 'cdf_loader.load.outcome': 'inflightJoin' }, value: 1 },
        { attributes: { 'cdf.resource': 'files', 'cdf_loader.load.outcome': 'cacheHit' }, value: 1 },
        { attributes: { 'cdf.resource': 'files', 'cdf_loader.load.outcome': 'invalid' }, value: 1 },
      ]),
    );
    expect(pointsOf(collected, 'cdf_loader.loads')).toHaveLength(4);
    expect(pointsOf(collected, 'cdf_loader.not_found')).toEqual([{ attributes: { 'cdf.resource': 'files' }, value: 1 }]);
    expect(pointsOf(collected, 'cdf_loader.request.identifiers')).toEqual([{ attributes: { 'cdf.resource': 'files' }, value: { count: 1, sum: 3 } }]);
    const [duration, ...otherDurations] = pointsOf(collected, 'cdf_loader.request.duration');
    expect(otherDurations).toEqual([]);
    expect(duration!.attributes).toEqual({ 'cdf.resource': 'files', 'http.response.status_code': 200 });
    const [seconds, nanoseconds] = spans.getFinishedSpans()[0]!.duration;
    expect(duration!.value).toEqual({ count: 1, sum: expect.closeTo(seconds + nanoseconds / 1e9, 6) });
    expect(pointsOf(collected, 'cdf_loader.retries')).toEqual([]);
    expect(pointsOf(collected, 'cdf_loader.throttled')).toEqual([]);
  });

  test('a 429: a throttled attempt, a retry, and the halved concurrency limit until it is back at its maximum', async () => {
    const { cdf, loader, metrics } = harness();
    cdf.addFault({ request: 1, status: 429 });
    const files = loader({ maxConcurrency: 2 });
    await files.load({ id: cdf.data.files[0]!.id });

    const afterThrottle = await metrics();
    expect(pointsOf(afterThrottle, 'cdf_loader.throttled')).toEqual([{ attributes: { 'cdf.resource': 'files' }, value: 1 }]);
    expect(pointsOf(afterThrottle, 'cdf_loader.retries')).toEqual([
      { attributes: { 'cdf.resource': 'files', 'http.response.status_code': 429 }, value: 1 },
    ]);
    expect(pointsOf(afterThrottle, 'cdf_loader.request.duration').map(({ attributes, value }) => ({ attributes, value: (value as { count: number }).count }))).toEqual([
      { attributes: { 'cdf.resource': 'files', 'http.response.status_code': 429, 'error.type': '429' }, value: 1 },
      { attributes: { 'cdf.resource': 'files', 'http.response.status_code': 200 }, value: 1 },
    ]);
    const [limit] = pointsOf(afterThrottle, 'cdf_loader.concurrency.limit');
    expect(limit).toEqual({ attributes: { 'cdf_loader.limiter.id': expect.any(Number) }, value: 1 });

    // Successes climb back: one request at a time, each a new file, until the limit is 2 again.
    for (const file of cdf.data.files.slice(1)) {
      if (files.stats().concurrencyLimit === 2) break;
      await files.load({ id: file.id });
    }
    expect(files.stats().concurrencyLimit).toBe(2);
    expect(pointsOf(await metrics(), 'cdf_loader.concurrency.limit')).toEqual([{ attributes: limit!.attributes, value: 2 }]);
    expect(pointsOf(await metrics(), 'cdf_loader.concurrency.limit')).toEqual([]);
  });

  test('the stop function unsubscribes everything, and calling it again does nothing', async () => {
    const { cdf, loader, metrics, spans, stop } = harness();
    const files = loader();
    await files.load({ id: cdf.data.files[0]!.id });
    expect(pointsOf(await metrics(), 'cdf_loader.loads')).toHaveLength(1);

    stop();
    stop();
    for (const name of Object.values(channels)) expect(hasSubscribers(name)).toBe(false);
    cdf.addFault({ request: 2, status: 429 });
    await files.load({ id: cdf.data.files[1]!.id });

    expect(spans.getFinishedSpans()).toHaveLength(1);
    const after = await metrics();
    expect([...after].filter(([, points]) => points.length > 0)).toEqual([]);
  });
});
