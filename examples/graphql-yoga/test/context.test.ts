import { createCdfLoaderPool } from 'cdf-loader';
import type { YogaInitialContext } from 'graphql-yoga';
import { describe, expect, it } from 'vitest';
import { contextFactory } from '../src/context.js';
import { at, useMockCdf } from './support.js';

const cdf = useMockCdf({ counts: { files: 10, assets: 5 } });

/** The context yoga would build for an HTTP request carrying the fake's token. */
function contextFor(signal?: AbortSignal) {
  const pool = createCdfLoaderPool({ baseUrl: cdf().url, project: cdf().project });
  const request = new Request('http://localhost/graphql', { headers: { authorization: `Bearer ${cdf().token}` }, ...(signal && { signal }) });
  return contextFactory(pool)({ request } as YogaInitialContext);
}

describe('the per-request context', () => {
  it('names its DataLoaders for @opentelemetry/instrumentation-dataloader', () => {
    const { files, assets } = contextFor();

    expect([files.name, assets.name]).toEqual(['cdf-loader.files', 'cdf-loader.assets']);
  });

  it("stops a request's loads when the request is aborted, before anything is sent", async () => {
    const controller = new AbortController();
    const { files } = contextFor(controller.signal);
    const reason = new Error('the client went away');

    const load = files.load({ id: at(cdf().data.files, 0).id });
    controller.abort(reason);

    await expect(load).rejects.toBe(reason);
    expect(cdf().log).toEqual([]);
  });
});
