import { readFileSync } from 'node:fs';
import { describe, expect, test, vi } from 'vitest';
import { CdfApiError, createCdfLoaders, createFilesLoader, TokenProviderError, VERSION } from '../src/index.js';
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

  test('`getToken` failing rejects the keys with a TokenProviderError that says why, caused by it', async () => {
    const failure = new Error('vault unreachable');
    const loader = createFilesLoader(optionsFor(cdf(), { getToken: () => Promise.reject(failure) }));
    const error = (await loader.load({ id: 1 }).catch((reason: unknown) => reason)) as Error;
    expect(error).toBeInstanceOf(TokenProviderError);
    expect(error).not.toBeInstanceOf(CdfApiError);
    expect(error.message).toBe('`getToken` failed: vault unreachable');
    expect(error.cause).toBe(failure);
    expect(byIdsRequests(cdf())).toHaveLength(0);
  });
});
