import { readFileSync } from 'node:fs';
import { describe, expect, test, vi } from 'vitest';
import { createCdfLoaders, createFilesLoader, type RequestEvent, VERSION } from '../src/index.js';
import { byIdsRequests, optionsFor, useMockCdf } from './support.js';

const cdf = useMockCdf({ counts: { files: 100, assets: 50 } });

describe('the HTTP side', () => {
  test('sends the bearer token, `x-cdp-app`, `x-cdp-sdk` and JSON to the project path', async () => {
    const loader = createFilesLoader(optionsFor(cdf(), { appId: 'my-service' }));
    await loader.load({ id: cdf().data.files[0]!.id });

    const [entry] = byIdsRequests(cdf());
    expect(entry).toMatchObject({ method: 'POST', path: `/api/v1/projects/${cdf().project}/files/byids`, token: cdf().token });
    expect(entry!.headers).toMatchObject({ 'x-cdp-app': 'my-service', 'x-cdp-sdk': `cdf-loader:${VERSION}`, 'content-type': 'application/json' });
    expect(entry!.headers.authorization).toBeUndefined(); // the fake keeps it out of the log's headers
  });

  test('a trailing slash on `baseUrl` is fine', async () => {
    const loader = createFilesLoader(optionsFor(cdf(), { baseUrl: `${cdf().url}/` }));
    expect(await loader.load({ id: cdf().data.files[0]!.id })).toEqual(cdf().data.files[0]);
  });

  test('`VERSION` matches package.json', () => {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(VERSION).toBe(manifest.version);
  });

  test('`getToken` is called once for many concurrent requests, and the token is kept', async () => {
    const getToken = vi.fn(async () => cdf().token);
    const { files, assets } = createCdfLoaders(optionsFor(cdf(), { getToken, maxBatchSize: 10 }));
    await Promise.all([
      ...cdf().data.files.slice(0, 50).map((file) => files.load({ id: file.id })),
      ...cdf().data.assets.slice(0, 50).map((asset) => assets.load({ id: asset.id })),
    ]);
    await files.load({ id: cdf().data.files[60]!.id });

    expect(byIdsRequests(cdf())).toHaveLength(11);
    expect(getToken).toHaveBeenCalledTimes(1);
  });

  test('`getToken` failing rejects the keys with a CdfApiError caused by it', async () => {
    const failure = new Error('identity provider down');
    const loader = createFilesLoader(optionsFor(cdf(), { getToken: () => Promise.reject(failure) }));
    const error = (await loader.load({ id: 1 }).catch((reason: unknown) => reason)) as Error;
    expect(error.message).toBe('CDF files/byids failed with no response: `getToken` failed');
    expect(error.cause).toBe(failure);
    expect(byIdsRequests(cdf())).toHaveLength(0);
  });

  test('`onRequest` sees every attempt, and `stats()` counts what happened', async () => {
    const events: RequestEvent[] = [];
    const loader = createFilesLoader(optionsFor(cdf(), { maxBatchSize: 3, onRequest: (event) => events.push(event) }));
    const files = cdf().data.files.slice(0, 5);
    await Promise.all([...files, ...files].map((file) => loader.load({ id: file.id })));
    await loader.load({ id: files[0]!.id });
    await loader.load({ id: 12 });

    const requests = byIdsRequests(cdf());
    expect(events.map(({ durationMs, ...rest }) => ({ ...rest, timed: durationMs >= 0 }))).toEqual([
      { resource: 'files', items: 3, status: 200, attempt: 1, requestId: requests[0]!.requestId, timed: true },
      { resource: 'files', items: 2, status: 200, attempt: 1, requestId: requests[1]!.requestId, timed: true },
      { resource: 'files', items: 1, status: 200, attempt: 1, requestId: requests[2]!.requestId, timed: true },
    ]);
    expect(loader.stats()).toEqual({
      loads: 12,
      cacheHits: 1,
      inflightJoins: 5,
      invalid: 0,
      requests: 3,
      requestFailures: 0,
      retries: 0,
      itemsRequested: 6,
      itemsReturned: 5,
      notFound: 1,
      concurrencyLimit: 4,
    });
  });

  test('a throwing `onRequest` becomes a process warning, not a failed load', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error): void => {
      warnings.push(warning);
    };
    process.on('warning', onWarning);
    try {
      const loader = createFilesLoader(optionsFor(cdf(), { onRequest: () => { throw new Error('metrics broke'); } }));
      expect(await loader.load({ id: cdf().data.files[0]!.id })).toEqual(cdf().data.files[0]);
      await vi.waitFor(() => expect(warnings.map((warning) => warning.message)).toEqual(['metrics broke']));
    } finally {
      process.off('warning', onWarning);
    }
  });
});
