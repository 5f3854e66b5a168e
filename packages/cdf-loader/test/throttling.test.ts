import { describe, expect, test } from 'vitest';
import { createFilesLoader } from '../src/index.js';
import { byIdsRequests, expectWellFormedRequests, optionsFor, useMockCdf } from './support.js';

// The fake serves 2 requests at a time and answers 429 beyond, without Retry-After.
const cdf = useMockCdf({ counts: { files: 10_000 }, latency: { fixedMs: 3 }, concurrencyLimit: 2 });

describe('adaptive concurrency under a 429 storm', () => {
  test('10,000 loads all resolve, while the limit falls and climbs back', async () => {
    const limits: { status: number; limit: number }[] = [];
    const loader = createFilesLoader(
      optionsFor(cdf(), {
        maxBatchSize: 50,
        maxConcurrency: 8,
        retry: { limit: 10, baseDelayMs: 5, maxDelayMs: 100 },
        onRequest: (event) => limits.push({ status: event.status, limit: loader.stats().concurrencyLimit }),
      }),
    );
    const files = cdf().data.files;

    expect(await Promise.all(files.map((file) => loader.load({ id: file.id })))).toEqual(files);

    const requests = byIdsRequests(cdf());
    const throttled = requests.filter((entry) => entry.status === 429);
    expect(throttled.length).toBeGreaterThan(0);
    expect(requests.filter((entry) => entry.status === 200)).toHaveLength(200);
    expectWellFormedRequests(cdf());
    // Each retry of a throttled request was sent after that 429 had been answered: backoff.
    for (const entry of throttled) {
      const retry = requests.find((later) => later.seq > entry.seq && later.items[0] !== undefined && sameItems(later.items, entry.items));
      expect(retry!.startedAt).toBeGreaterThanOrEqual(entry.endedAt!);
    }
    // The limit fell below the fake's 2 + 1 and later rose again.
    const lowest = Math.min(...limits.map((sample) => sample.limit));
    expect(lowest).toBeLessThanOrEqual(2);
    const firstLow = limits.findIndex((sample) => sample.limit === lowest);
    expect(limits.slice(firstLow).some((sample) => sample.limit > lowest)).toBe(true);
    expect(loader.stats()).toMatchObject({ requestFailures: 0, retries: throttled.length });
  });
});

function sameItems(a: unknown[], b: unknown[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
