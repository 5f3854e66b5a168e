import { describe, expect, test } from 'vitest';
import { createCdfLoaderPool, createCdfLoaders, createFilesLoader, LoaderClosedError } from '../src/index.js';
import { byIdsRequests, optionsFor, until, useMockCdf } from './support.js';

const cdf = useMockCdf({ counts: { files: 100 } });
const closedError = new LoaderClosedError('files');

describe('close()', () => {
  test('queued loads reject, requests in flight are aborted, and loads after it reject at once', async () => {
    cdf().addFault({ request: 1, delayMs: 30_000 });
    const loader = createFilesLoader(optionsFor(cdf(), { maxConcurrency: 1, maxBatchSize: 2 }));
    const files = cdf().data.files.slice(0, 6);
    const loads = files.map((file) => loader.load({ id: file.id }));
    await until(() => byIdsRequests(cdf()).length === 1, 'the first request');

    await loader.close();
    for (const load of loads) await expect(load).rejects.toThrow(closedError);
    expect(closedError.message).toBe('The files loader is closed: `close()` was called, so it sends no more requests.');
    await until(() => byIdsRequests(cdf())[0]!.clientClosed, 'the fake to see the request aborted');
    expect(byIdsRequests(cdf())).toHaveLength(1);

    await expect(loader.load({ id: files[0]!.id })).rejects.toThrow(closedError);
    expect(await loader.loadMany([{ id: files[0]!.id }])).toEqual([closedError]);
    expect(() => loader.prime(files[0]!)).toThrow(closedError);
  });

  test('a retry wait ends at close, with no timer left behind', async () => {
    cdf().addFault({ request: 1, status: 503, headers: { 'retry-after': '600' } });
    const loader = createFilesLoader(optionsFor(cdf(), { retry: { maxDelayMs: 600_000 } }));
    const load = loader.load({ id: cdf().data.files[0]!.id });
    await until(() => loader.stats().retries === 1, 'the retry to wait');

    const timersBefore = process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
    await loader.close();
    await expect(load).rejects.toThrow(closedError);
    expect(process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length).toBe(timersBefore - 1);
    expect(byIdsRequests(cdf())).toHaveLength(1);
  });

  test('is idempotent, and closes a batch window that has not fired', async () => {
    const loader = createFilesLoader(optionsFor(cdf(), { batchWindowMs: 60_000 }));
    const load = loader.load({ id: cdf().data.files[0]!.id });
    const first = loader.close();
    expect(loader.close()).toBe(first);
    await first;
    await expect(load).rejects.toThrow(closedError);
    expect(byIdsRequests(cdf())).toHaveLength(0);
  });

  test('a request scope waiting for a batch window: its loads reject at close', async () => {
    const loader = createFilesLoader(optionsFor(cdf(), { batchWindowMs: 60_000 }));
    const scope = loader.forRequest();
    const load = scope.load({ id: cdf().data.files[0]!.id });
    await new Promise((resolve) => setImmediate(resolve));
    await loader.close();
    await expect(load).rejects.toThrow(closedError);
    expect(byIdsRequests(cdf())).toHaveLength(0);
  });

  test('a loader set closes the loaders it made; a pool closes every principal', async () => {
    const set = createCdfLoaders(optionsFor(cdf()));
    const file = cdf().data.files[0]!;
    expect(await set.files.load({ id: file.id })).toEqual(file);
    await set.close();
    await expect(set.files.load({ id: file.id })).rejects.toThrow(closedError);
    await expect(set.assets.load({ id: 1 })).rejects.toThrow(new LoaderClosedError('assets'));

    const pool = createCdfLoaderPool({ baseUrl: cdf().url, project: cdf().project });
    const alice = pool.forPrincipal('alice', () => cdf().token);
    expect(await alice.files.load({ id: file.id })).toEqual(file);
    await pool.close();
    await expect(alice.files.load({ id: file.id })).rejects.toThrow(closedError);
    expect(() => pool.forPrincipal('bob', () => cdf().token)).toThrow(new TypeError('The pool is closed: `close()` was called.'));
    expect(pool.size).toBe(0);
  });
});
