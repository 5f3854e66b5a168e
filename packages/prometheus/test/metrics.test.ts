import { hasSubscribers } from 'node:diagnostics_channel';
import { type MockCdf, startMockCdf } from '@cdf-loader/mock-cdf';
import { channels, createFilesLoader, type FilesLoader, type LoaderOptions } from 'cdf-loader';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest';
import { registerCdfLoaderMetrics } from '../src/index.js';

let cdf: MockCdf;
let registry: Registry;
let unregister: () => void;
beforeAll(async () => {
  cdf = await startMockCdf({ counts: { files: 40 } });
});
afterAll(() => cdf.close());
beforeEach(() => {
  cdf.reset();
  registry = new Registry();
  unregister = registerCdfLoaderMetrics(registry);
});
afterEach(() => unregister());

function loader(extra: Partial<LoaderOptions> = {}): FilesLoader {
  return createFilesLoader({ baseUrl: cdf.url, project: cdf.project, getToken: () => cdf.token, retry: { baseDelayMs: 1, maxDelayMs: 1 }, ...extra });
}

/** A metric's sample lines as the registry exposes them, without `# HELP` and `# TYPE`. */
async function samples(name: string): Promise<string[]> {
  const text = await registry.getSingleMetricAsString(name);
  return text.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
}

describe('registerCdfLoaderMetrics', () => {
  test('a load served at once from an entry past ttlMs while it is refreshed is a load of outcome staleWhileRevalidate', async () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    try {
      const files = loader({ cache: { ttlMs: 1_000, staleWhileRevalidateMs: 5_000 } });
      const [a] = cdf.data.files;
      await files.load({ id: a!.id });
      vi.advanceTimersByTime(1_001);
      expect(await files.load({ id: a!.id })).toEqual(a);
      expect(await samples('cdf_loader_loads_total')).toEqual([
        'cdf_loader_loads_total{resource="files",outcome="queued"} 1',
        'cdf_loader_loads_total{resource="files",outcome="staleWhileRevalidate"} 1',
      ]);
      await files.close();
    } finally {
      vi.useRealTimers();
    }
  });

  test('a key served stale through an outage counts in stale_served_total, not as another load', async () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    try {
      const files = loader({ cache: { ttlMs: 1_000, staleIfErrorMs: 5_000 }, retry: { limit: 0 } });
      const [a] = cdf.data.files;
      await files.load({ id: a!.id });
      vi.advanceTimersByTime(1_001);
      cdf.addFault({ status: 503 });
      expect(await files.load({ id: a!.id })).toEqual(a);

      expect(await samples('cdf_loader_stale_served_total')).toEqual(['cdf_loader_stale_served_total{resource="files"} 1']);
      expect(await samples('cdf_loader_loads_total')).toEqual(['cdf_loader_loads_total{resource="files",outcome="queued"} 2']);
    } finally {
      vi.useRealTimers();
    }
  });

  test('loads by outcome, requests, identifiers and not-found keys', async () => {
    const files = loader();
    const [a, b] = cdf.data.files;
    await Promise.all([files.load({ id: a!.id }), files.load({ id: b!.id }), files.load({ id: a!.id }), files.load({ id: 12 })]);
    await files.load({ id: a!.id });
    await expect(files.load({ id: 0 })).rejects.toThrow(TypeError);

    expect(await samples('cdf_loader_loads_total')).toEqual([
      'cdf_loader_loads_total{resource="files",outcome="queued"} 3',
      'cdf_loader_loads_total{resource="files",outcome="inflightJoin"} 1',
      'cdf_loader_loads_total{resource="files",outcome="cacheHit"} 1',
      'cdf_loader_loads_total{resource="files",outcome="invalid"} 1',
    ]);
    expect(await samples('cdf_loader_not_found_total')).toEqual(['cdf_loader_not_found_total{resource="files"} 1']);
    expect(await samples('cdf_loader_request_identifiers')).toEqual([
      'cdf_loader_request_identifiers_bucket{le="1",resource="files"} 0',
      'cdf_loader_request_identifiers_bucket{le="10",resource="files"} 1',
      'cdf_loader_request_identifiers_bucket{le="50",resource="files"} 1',
      'cdf_loader_request_identifiers_bucket{le="100",resource="files"} 1',
      'cdf_loader_request_identifiers_bucket{le="250",resource="files"} 1',
      'cdf_loader_request_identifiers_bucket{le="500",resource="files"} 1',
      'cdf_loader_request_identifiers_bucket{le="750",resource="files"} 1',
      'cdf_loader_request_identifiers_bucket{le="1000",resource="files"} 1',
      'cdf_loader_request_identifiers_bucket{le="+Inf",resource="files"} 1',
      'cdf_loader_request_identifiers_sum{resource="files"} 3',
      'cdf_loader_request_identifiers_count{resource="files"} 1',
    ]);
    const duration = await samples('cdf_loader_request_duration_seconds');
    expect(duration.filter((line) => line.includes('le="+Inf"') || line.includes('_count'))).toEqual([
      'cdf_loader_request_duration_seconds_bucket{le="+Inf",resource="files",status="200"} 1',
      'cdf_loader_request_duration_seconds_count{resource="files",status="200"} 1',
    ]);
    expect(duration).toContainEqual(expect.stringMatching(/^cdf_loader_request_duration_seconds_sum\{resource="files",status="200"\} \d/));
    expect(await samples('cdf_loader_retries_total')).toEqual([]);
    expect(await samples('cdf_loader_throttled_total')).toEqual([]);
  });

  test('a 429: a throttled attempt, a retry, and the halved concurrency limit until it is scraped back at its maximum', async () => {
    cdf.addFault({ request: 1, status: 429 });
    const files = loader({ maxConcurrency: 2 });
    await files.load({ id: cdf.data.files[0]!.id });

    expect(await samples('cdf_loader_throttled_total')).toEqual(['cdf_loader_throttled_total{resource="files"} 1']);
    expect(await samples('cdf_loader_retries_total')).toEqual(['cdf_loader_retries_total{resource="files",status="429"} 1']);
    expect((await samples('cdf_loader_request_duration_seconds')).filter((line) => line.includes('_count'))).toEqual([
      'cdf_loader_request_duration_seconds_count{resource="files",status="429"} 1',
      'cdf_loader_request_duration_seconds_count{resource="files",status="200"} 1',
    ]);
    const [throttledLimit, ...others] = await samples('cdf_loader_concurrency_limit');
    expect(others).toEqual([]);
    expect(throttledLimit).toMatch(/^cdf_loader_concurrency_limit\{limiter="\d+"\} 1$/);

    // Successes climb back: one request at a time, each a new file, until the limit is 2 again.
    for (const file of cdf.data.files.slice(1)) {
      if (files.stats().concurrencyLimit === 2) break;
      await files.load({ id: file.id });
    }
    expect(files.stats().concurrencyLimit).toBe(2);
    expect(await samples('cdf_loader_concurrency_limit')).toEqual([throttledLimit!.replace(/ 1$/, ' 2')]);
    expect(await samples('cdf_loader_concurrency_limit')).toEqual([]);
  });

  test('`prefix` replaces `cdf_loader_` in every name, and must make Prometheus names', () => {
    const names = (prefix: string): string[] => {
      const other = new Registry();
      const stop = registerCdfLoaderMetrics(other, { prefix });
      const registered = other.getMetricsAsArray().map((metric) => metric.name);
      stop();
      return registered;
    };
    expect(names('svc:cdf_')).toEqual([
      'svc:cdf_concurrency_limit',
      'svc:cdf_request_duration_seconds',
      'svc:cdf_request_identifiers',
      'svc:cdf_loads_total',
      'svc:cdf_not_found_total',
      'svc:cdf_stale_served_total',
      'svc:cdf_retries_total',
      'svc:cdf_throttled_total',
    ]);
    expect(names('')).toContain('loads_total');
    expect(() => registerCdfLoaderMetrics(new Registry(), { prefix: '2nd_' })).toThrow(
      new TypeError('`prefix` must be empty or start a Prometheus metric name (letters, digits, `_` and `:`, not starting with a digit); got "2nd_"'),
    );
  });

  test('registering twice on one registry says which name is taken, and registers nothing more', () => {
    expect(() => registerCdfLoaderMetrics(registry)).toThrow(
      new Error("The registry already has a metric named cdf_loader_request_duration_seconds: register cdf-loader's metrics once per registry, or pass another `prefix`"),
    );
    expect(registry.getMetricsAsArray()).toHaveLength(8);
  });

  test('the returned function unsubscribes and removes the metrics; calling it again does nothing', async () => {
    unregister();
    unregister();
    expect(registry.getMetricsAsArray()).toEqual([]);
    for (const name of Object.values(channels)) expect(hasSubscribers(name)).toBe(false);
    await loader().load({ id: cdf.data.files[0]!.id });

    unregister = registerCdfLoaderMetrics(registry);
    expect(await samples('cdf_loader_loads_total')).toEqual([]);
  });
});
