import { describe, expect, it, vi } from 'vitest';
import type { MockCdf } from '../src/index.js';
import { byIdsUrl, cdfError, post, start } from './helpers.js';

function ask(mock: MockCdf): ReturnType<typeof post> {
  return post(mock, 'files', { items: [{ id: mock.data.files[0]!.id }] });
}

/** Starts a request whose headers have arrived but whose body is still coming: it stays in flight for `slowBodyMs`. */
async function inFlight(mock: MockCdf): Promise<Response> {
  const response = await fetch(byIdsUrl(mock, 'files'), {
    method: 'POST',
    headers: { authorization: `Bearer ${mock.token}` },
    body: JSON.stringify({ items: [{ id: mock.data.files[0]!.id }] }),
  });
  expect(response.status).toBe(200);
  return response;
}

describe('concurrency limit', () => {
  it('answers 429 at once to a request over the limit; 429s are not in flight', async () => {
    const mock = await start({ concurrencyLimit: 2, faults: [{ slowBodyMs: 300, times: 2 }] });
    const [a, b] = [await inFlight(mock), await inFlight(mock)];
    expect(mock.counters.inFlight).toBe(2);
    const over = await ask(mock);
    expect(over.status).toBe(429);
    expect(over.body).toEqual(cdfError(429, "Project exceeded maximum number='2' of concurrent requests."));
    expect(over.headers.get('retry-after')).toBeNull();
    expect(over.headers.get('x-request-id')).toBeTruthy();
    await Promise.all([a.arrayBuffer(), b.arrayBuffer()]);
    expect((await ask(mock)).status).toBe(200);
    expect(mock.counters).toMatchObject({ requests: 4, throttled: 1, maxConcurrent: 2, inFlight: 0 });
    expect(mock.log.map((entry) => entry.status)).toEqual([200, 200, 429, 200]);
    const throttled = mock.log[2]!;
    expect(throttled.endedAt! - throttled.startedAt).toBeLessThan(100);
  });

  it('sends Retry-After on throttling 429s when configured', async () => {
    const mock = await start({ concurrencyLimit: 1, retryAfter: '1', faults: [{ request: 1, slowBodyMs: 200 }] });
    const slow = await inFlight(mock);
    const over = await ask(mock);
    expect([over.status, over.headers.get('retry-after')]).toEqual([429, '1']);
    await slow.arrayBuffer();
  });

  it('can be changed at run time', async () => {
    const mock = await start({ faults: [{ slowBodyMs: 200, times: 2 }] });
    mock.configure({ concurrencyLimit: 1 });
    const slow = await inFlight(mock);
    expect((await ask(mock)).status).toBe(429);
    mock.configure({ concurrencyLimit: Infinity });
    const second = await inFlight(mock);
    expect(mock.counters.inFlight).toBe(2);
    await Promise.all([slow.arrayBuffer(), second.arrayBuffer()]);
    expect(() => mock.configure({ concurrencyLimit: 0 })).toThrow('concurrencyLimit must be a positive integer or Infinity, got 0');
  });

  it('counts the most requests served at once', async () => {
    const mock = await start({ latency: { fixedMs: 50 } });
    await Promise.all(Array.from({ length: 5 }, () => ask(mock)));
    expect(mock.counters.maxConcurrent).toBeGreaterThanOrEqual(2);
    expect(mock.counters.maxConcurrent).toBeLessThanOrEqual(5);
    expect(mock.counters.inFlight).toBe(0);
  });
});

describe('rate limit', () => {
  it('answers 429 beyond `requests` per window, with a rate message', async () => {
    const mock = await start({ rateLimit: { requests: 3, intervalMs: 60_000 }, retryAfter: '30' });
    const replies = [await ask(mock), await ask(mock), await ask(mock), await ask(mock)];
    expect(replies.map((reply) => reply.status)).toEqual([200, 200, 200, 429]);
    expect(replies[3]!.body).toEqual(cdfError(429, "Project exceeded maximum number='3' of requests per 60000 ms."));
    expect(replies[3]!.headers.get('retry-after')).toBe('30');
    expect(mock.counters.throttled).toBe(1);
    mock.configure({ rateLimit: undefined });
    expect((await ask(mock)).status).toBe(200);
  });

  it('slides: requests older than the window no longer count', async () => {
    const mock = await start({ rateLimit: { requests: 2, intervalMs: 100 } });
    expect([(await ask(mock)).status, (await ask(mock)).status, (await ask(mock)).status]).toEqual([200, 200, 429]);
    // Request 4 fills a window of 4 and is answered after its own 300 ms delay, when all four have left the window:
    // without sliding, 5 and 6 would be over the limit.
    mock.configure({ rateLimit: { requests: 4, intervalMs: 100 } });
    mock.addFault({ request: 4, delayMs: 300 });
    expect((await ask(mock)).status).toBe(200);
    expect([(await ask(mock)).status, (await ask(mock)).status]).toEqual([200, 200]);
  });
});

describe('latency', () => {
  it('adds fixed latency to every byids answer', async () => {
    const mock = await start({ latency: { fixedMs: 80 } });
    await ask(mock);
    await post(mock, 'files', { items: [] });
    for (const entry of mock.log) {
      expect(entry.endedAt! - entry.startedAt).toBeGreaterThanOrEqual(79);
      expect(entry.endedAt! - entry.startedAt).toBeLessThan(5000);
    }
  });

  it('adds seeded jitter within 0..jitterMs', async () => {
    const mock = await start({ latency: { fixedMs: 10, jitterMs: 100 } });
    await Promise.all(Array.from({ length: 8 }, () => ask(mock)));
    const durations = mock.log.map((entry) => entry.endedAt! - entry.startedAt);
    for (const duration of durations) {
      expect(duration).toBeGreaterThanOrEqual(9);
      expect(duration).toBeLessThan(5000);
    }
    expect(Math.max(...durations) - Math.min(...durations)).toBeGreaterThan(5);
  });

  it('keeps real time when the caller fakes timers', async () => {
    const mock = await start({ latency: { fixedMs: 30 }, faults: [{ request: 2, slowBodyMs: 50 }] });
    vi.useFakeTimers();
    try {
      expect((await ask(mock)).status).toBe(200);
      expect((await ask(mock)).status).toBe(200);
      expect(mock.log[0]!.endedAt! - mock.log[0]!.startedAt).toBeGreaterThanOrEqual(29);
    } finally {
      vi.useRealTimers();
    }
  });
});
