import { describe, expect, test } from 'vitest';
import { createFilesLoader, NotFoundError } from '../src/index.js';
import { byIdsRequests, expectWellFormedRequests, filesWith, optionsFor, useMockCdf } from './support.js';

// One file by two identifiers in a request is answered once per identifier here: these tests are about
// coalescing and matching answers; the `duplicated` answer CDF gives instead has duplicated.test.ts.
const cdf = useMockCdf({ counts: { files: 2000 }, aliasDuplicates: 'answered' });
const UNKNOWN_IDS = [1, 2, 3];

/** A `fetch` that rewrites each byids answer's items, to play the CDF behaviours the fake does not. */
function rewritingFetch(rewrite: (items: Record<string, unknown>[]) => Record<string, unknown>[]): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    const body = (await response.json()) as { items: Record<string, unknown>[] };
    return new Response(JSON.stringify({ items: rewrite(body.items) }), { status: response.status, headers: response.headers });
  };
}

describe('fan-out by identity', () => {
  test('ids, externalIds and instanceIds mixed in one request each get their own file', async () => {
    const loader = createFilesLoader(optionsFor(cdf()));
    const plain = filesWith(cdf(), { externalId: false, instanceId: false })[0]!;
    const external = filesWith(cdf(), { externalId: true, instanceId: false })[0]!;
    const node = filesWith(cdf(), { externalId: false, instanceId: true })[0]!;

    const results = await Promise.all([
      loader.load({ id: plain.id }),
      loader.load({ externalId: external.externalId! }),
      loader.load({ instanceId: node.instanceId! }),
    ]);

    expect(results).toEqual([plain, external, node]);
    expect(byIdsRequests(cdf()).map((entry) => entry.items)).toEqual([
      [{ id: plain.id }, { externalId: external.externalId }, { instanceId: node.instanceId }],
    ]);
  });

  test('one file named by two identifiers in one tick answers both, whether CDF returns it twice or once', async () => {
    const file = filesWith(cdf(), { externalId: true, instanceId: true })[0]!;
    const returnedOnce = rewritingFetch((items) => items.filter((item, index) => items.findIndex((other) => other.id === item.id) === index));

    for (const fetch of [undefined, returnedOnce]) {
      cdf().reset();
      const loader = createFilesLoader(optionsFor(cdf(), fetch === undefined ? {} : { fetch }));
      const results = await Promise.all([
        loader.load({ id: file.id }),
        loader.load({ externalId: file.externalId! }),
        loader.load({ instanceId: file.instanceId! }),
      ]);
      expect(results).toEqual([file, file, file]);
      expect(byIdsRequests(cdf())).toHaveLength(1);
    }
  });

  test('a file loaded by id is then a cache hit by its externalId and its instanceId', async () => {
    const loader = createFilesLoader(optionsFor(cdf()));
    const file = filesWith(cdf(), { externalId: true, instanceId: true })[1]!;
    await loader.load({ id: file.id });

    expect(await loader.load({ externalId: file.externalId! })).toEqual(file);
    expect(await loader.load({ instanceId: { ...file.instanceId! } })).toEqual(file);
    expect(byIdsRequests(cdf())).toHaveLength(1);
    expect(loader.stats()).toMatchObject({ loads: 3, cacheHits: 2, requests: 1 });
  });

  test('unknown ids beside known ones resolve to null, and no request fails', async () => {
    const loader = createFilesLoader(optionsFor(cdf()));
    const [a, b] = cdf().data.files;
    const results = await Promise.all([
      loader.load({ id: a!.id }),
      ...UNKNOWN_IDS.map((id) => loader.load({ id })),
      loader.load({ externalId: 'no-such-file' }),
      loader.load({ id: b!.id }),
    ]);
    expect(results).toEqual([a, null, null, null, null, b]);
    expect(byIdsRequests(cdf()).map((entry) => entry.status)).toEqual([200]);
    expect(loader.stats()).toMatchObject({ notFound: 4, itemsRequested: 6, itemsReturned: 2 });
    expectWellFormedRequests(cdf());
  });

  test("with `missing: 'error'` unknown ids reject with NotFoundError, known ones resolve", async () => {
    const loader = createFilesLoader(optionsFor(cdf(), { missing: 'error' }));
    const file = cdf().data.files[0]!;
    const [known, unknown] = await Promise.allSettled([loader.load({ id: file.id }), loader.load({ externalId: 'nope' })]);

    expect(known).toEqual({ status: 'fulfilled', value: file });
    expect(unknown.status).toBe('rejected');
    const error = (unknown as PromiseRejectedResult).reason as NotFoundError;
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.message).toBe('No file with externalId "nope".');
    expect(error.identifier).toEqual({ externalId: 'nope' });
    // The not-found answer is cached: the same error again, with no request.
    await expect(loader.load({ externalId: 'nope' })).rejects.toThrow(NotFoundError);
    expect(byIdsRequests(cdf())).toHaveLength(1);
  });

  test('answers in any order are matched by identity, never by position', async () => {
    const reversed = rewritingFetch((items) => [...items].reverse());
    const loader = createFilesLoader(optionsFor(cdf(), { fetch: reversed }));
    const files = cdf().data.files.slice(10, 60);
    const lookups = files.map((file, index) => (index % 3 === 0 ? loader.load({ id: 1 + index }) : loader.load({ id: file.id })));
    const expected = files.map((file, index) => (index % 3 === 0 ? null : file));
    expect(await Promise.all(lookups)).toEqual(expected);
  });

  test('items nobody asked for are ignored and not cached', async () => {
    const stranger = cdf().data.files[99]!;
    const withStranger = rewritingFetch((items) => [...items, stranger as unknown as Record<string, unknown>]);
    const loader = createFilesLoader(optionsFor(cdf(), { fetch: withStranger }));
    const file = cdf().data.files[0]!;

    expect(await loader.load({ id: file.id })).toEqual(file);
    expect(await loader.load({ id: stranger.id })).toEqual(stranger);
    expect(byIdsRequests(cdf())).toHaveLength(2);
  });

  test('without a cache, an item answers loads by its externalId and instanceId waiting in later requests, before and after bursts by id alone', async () => {
    // One key a request, one request at a time: a load by name answered by an earlier request never goes out.
    const loader = createFilesLoader(optionsFor(cdf(), { cache: false, maxBatchSize: 1, maxConcurrency: 1 }));
    const [first, second] = filesWith(cdf(), { externalId: true, instanceId: true });

    expect(await Promise.all([loader.load({ id: first!.id }), loader.load({ id: second!.id })])).toEqual([first, second]);
    expect(byIdsRequests(cdf())).toHaveLength(2);

    const byName = await Promise.all([
      loader.load({ id: first!.id }),
      loader.load({ externalId: first!.externalId! }),
      loader.load({ instanceId: first!.instanceId! }),
    ]);
    expect(byName).toEqual([first, first, first]);
    expect(byIdsRequests(cdf()).map((entry) => entry.items)).toEqual([[{ id: first!.id }], [{ id: second!.id }], [{ id: first!.id }]]);

    expect(await Promise.all([loader.load({ id: second!.id }), loader.load({ externalId: second!.externalId! })])).toEqual([second, second]);
    expect(await loader.load({ id: first!.id })).toEqual(first);
    expect(byIdsRequests(cdf())).toHaveLength(5);
  });

  test('with the cache on, an item answered by id settles the loads by its externalId and instanceId waiting in later requests, which never go out', async () => {
    const loader = createFilesLoader(optionsFor(cdf(), { maxBatchSize: 1, maxConcurrency: 1 }));
    const file = filesWith(cdf(), { externalId: true, instanceId: true })[2]!;

    const results = await Promise.all([loader.load({ id: file.id }), loader.load({ externalId: file.externalId! }), loader.load({ instanceId: file.instanceId! })]);

    expect(results).toEqual([file, file, file]);
    expect(byIdsRequests(cdf()).map((entry) => entry.items)).toEqual([[{ id: file.id }]]);
  });
});
