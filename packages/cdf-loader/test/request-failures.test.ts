import { describe, expect, test } from 'vitest';
import { CdfApiError, createFilesLoader } from '../src/index.js';
import { byIdsRequests, optionsFor, useMockCdf } from './support.js';

const cdf = useMockCdf({ counts: { files: 100 } });

describe('a failed request', () => {
  test('a chunk failing with 500 rejects only its own keys, with the request id, and is not cached', async () => {
    cdf().addFault({ request: 2, status: 500, body: { error: { code: 500, message: 'Internal server error' } } });
    const loader = createFilesLoader(optionsFor(cdf(), { maxBatchSize: 10, maxConcurrency: 1 }));
    const files = cdf().data.files.slice(0, 30);

    const settled = await Promise.allSettled(files.map((file) => loader.load({ id: file.id })));

    const requests = byIdsRequests(cdf());
    expect(requests.map((entry) => entry.status)).toEqual([200, 500, 200]);
    settled.forEach((result, index) => {
      if (index >= 10 && index < 20) {
        expect(result.status).toBe('rejected');
        const error = (result as PromiseRejectedResult).reason as CdfApiError;
        expect(error).toBeInstanceOf(CdfApiError);
        expect(error.status).toBe(500);
        expect(error.requestId).toBe(requests[1]!.requestId);
        expect(error.message).toBe(`CDF files/byids failed with 500: Internal server error (request id ${requests[1]!.requestId})`);
      } else {
        expect(result).toEqual({ status: 'fulfilled', value: files[index] });
      }
    });
    // The failed keys ask CDF again.
    expect(await loader.load({ id: files[15]!.id })).toEqual(files[15]);
    expect(byIdsRequests(cdf())).toHaveLength(4);
    expect(loader.stats()).toMatchObject({ requests: 4, requestFailures: 1, retries: 0 });
  });

  test("CDF's error body gives the code, message, missing and duplicated", async () => {
    cdf().addFault({
      request: 1,
      status: 400,
      body: { error: { code: 400, message: 'Files ids not found', missing: [{ id: 5 }], duplicated: [{ id: 6 }] } },
    });
    const loader = createFilesLoader(optionsFor(cdf()));
    const error = (await loader.load({ id: 5 }).catch((reason: unknown) => reason)) as CdfApiError;

    expect(error).toBeInstanceOf(CdfApiError);
    expect(error).toMatchObject({ status: 400, code: 400, missing: [{ id: 5 }], duplicated: [{ id: 6 }], body: undefined });
    expect(error.message).toBe(`CDF files/byids failed with 400: Files ids not found (request id ${byIdsRequests(cdf())[0]!.requestId})`);
    expect(byIdsRequests(cdf())).toHaveLength(1); // 400 is not retried
  });

  test('a body that is not JSON is kept on the error', async () => {
    cdf().addFault({ request: 1, status: 500, rawBody: '<html>upstream exploded</html>' });
    const loader = createFilesLoader(optionsFor(cdf()));
    const error = (await loader.load({ id: 5 }).catch((reason: unknown) => reason)) as CdfApiError;
    expect(error).toMatchObject({ status: 500, code: 500, body: '<html>upstream exploded</html>' });
  });

  test.each([
    [{ items: 'nope' }, 'the response has no `items` array'],
    [[1, 2], 'the response body is not a JSON object'],
    [{ items: [{ name: 'no id' }] }, "the response's items[0] is not an item with a numeric `id`"],
  ])('a 200 answer of the wrong shape (%j) rejects its keys saying what was wrong', async (body, problem) => {
    cdf().addFault({ request: 1, status: 200, body });
    const loader = createFilesLoader(optionsFor(cdf()));
    const error = (await loader.load({ id: cdf().data.files[0]!.id }).catch((reason: unknown) => reason)) as CdfApiError;
    expect(error).toBeInstanceOf(CdfApiError);
    expect(error.message).toBe(`CDF files/byids failed with 200: ${problem} (request id ${byIdsRequests(cdf())[0]!.requestId})`);
  });

  test('a 200 answer that is not JSON at all rejects its keys', async () => {
    cdf().addFault({ request: 1, status: 200, rawBody: 'not json' });
    const loader = createFilesLoader(optionsFor(cdf()));
    await expect(loader.load({ id: 7 })).rejects.toThrow('failed with 200: the response body is not a JSON object');
  });
});
