import { describe, expect, test } from 'vitest';
import { createCdfLoaders, createConcurrencyLimit, createFilesLoader } from '../src/index.js';
import { byIdsRequests, expectWellFormedRequests, gatedFetch, nextMacrotask, optionsFor, useMockCdf } from './support.js';

const cdf = useMockCdf({ counts: { files: 5000, assets: 500 }, latency: { fixedMs: 5 } });

describe('chunks under a concurrency limit', () => {
  test('the fake never sees more than `maxConcurrency` requests at once', async () => {
    const loader = createFilesLoader(optionsFor(cdf(), { maxConcurrency: 2, maxBatchSize: 100 }));
    const files = cdf().data.files.slice(0, 1000);

    expect(await Promise.all(files.map((file) => loader.load({ id: file.id })))).toEqual(files);
    expect(byIdsRequests(cdf())).toHaveLength(10);
    expect(cdf().counters.maxConcurrent).toBe(2);
    expectWellFormedRequests(cdf());
  });

  test('a burst arriving while every slot is busy fills chunks instead of starting small ones', async () => {
    const gate = gatedFetch();
    const loader = createFilesLoader(optionsFor(cdf(), { maxConcurrency: 1, fetch: gate.fetch }));
    const files = cdf().data.files.slice(0, 1510);
    const loads = files.slice(0, 10).map((file) => loader.load({ id: file.id }));
    await gate.firstSent; // the one slot is taken

    // 30 ticks of 50 new keys each, while the slot stays busy.
    for (let tick = 0; tick < 30; tick++) {
      const start = 10 + tick * 50;
      loads.push(...files.slice(start, start + 50).map((file) => loader.load({ id: file.id })));
      await nextMacrotask();
    }
    gate.release();

    expect(await Promise.all(loads)).toEqual(files);
    expect(byIdsRequests(cdf()).map((entry) => entry.items.length)).toEqual([10, 1000, 500]);
    expectWellFormedRequests(cdf());
  });

  test('the loaders of createCdfLoaders share one limit', async () => {
    const cdfLoaders = createCdfLoaders(optionsFor(cdf(), { maxConcurrency: 1, maxBatchSize: 10 }));
    const files = cdf().data.files.slice(0, 30);
    const assets = cdf().data.assets.slice(0, 30);

    const [gotFiles, gotAssets] = await Promise.all([
      Promise.all(files.map((file) => cdfLoaders.files.load({ id: file.id }))),
      Promise.all(assets.map((asset) => cdfLoaders.assets.load({ id: asset.id }))),
    ]);

    expect(gotFiles).toEqual(files);
    expect(gotAssets).toEqual(assets);
    expect(byIdsRequests(cdf())).toHaveLength(6);
    expect(cdf().counters.maxConcurrent).toBe(1);
  });

  test('a `limiter` passed to two loaders bounds both together', async () => {
    const limiter = createConcurrencyLimit({ maxConcurrency: 2 });
    const first = createFilesLoader(optionsFor(cdf(), { limiter, maxBatchSize: 10, cache: false }));
    const second = createFilesLoader(optionsFor(cdf(), { limiter, maxBatchSize: 10, cache: false }));
    const files = cdf().data.files.slice(0, 100);

    await Promise.all(files.flatMap((file) => [first.load({ id: file.id }), second.load({ id: file.id })]));
    expect(byIdsRequests(cdf())).toHaveLength(20);
    expect(cdf().counters.maxConcurrent).toBe(2);
  });
});
