import { describe, expect, test } from 'vitest';
import { createFilesLoader, type FileInfo } from '../src/index.js';
import { byIdsRequests, filesWith, optionsFor, until, useMockCdf } from './support.js';

const cdf = useMockCdf({ counts: { files: 2_000 } });

describe('invalidation is per key', () => {
  test('`prime` of another file while 500 keys are in flight: their answer is still cached', async () => {
    cdf().addFault({ request: 1, delayMs: 100 });
    const loader = createFilesLoader(optionsFor(cdf()));
    const files = cdf().data.files.slice(0, 500);
    const inFlight = Promise.all(files.map((file) => loader.load({ id: file.id })));
    await until(() => byIdsRequests(cdf()).length === 1, 'the request');

    loader.prime({ ...cdf().data.files[1_000]!, name: 'from a list call.pdf' });
    expect(await inFlight).toEqual(files);
    await Promise.all(files.map((file) => loader.load({ id: file.id })));

    expect(byIdsRequests(cdf())).toHaveLength(1);
    expect(loader.stats()).toMatchObject({ loads: 1_000, cacheHits: 500 });
  });

  test('`clear` of another key while a request is in flight does not stop its answer from reaching keys waiting in other chunks', async () => {
    const file = filesWith(cdf(), { externalId: true, instanceId: false })[0]!;
    const other = cdf().data.files.find((each) => each.id !== file.id)!;
    cdf().addFault({ request: 1, delayMs: 100 });
    const loader = createFilesLoader(optionsFor(cdf(), { maxConcurrency: 1 }));
    const byId = loader.load({ id: file.id });
    await until(() => byIdsRequests(cdf()).length === 1, 'the first request');
    // Queued behind the first request (one slot), in a chunk of its own.
    const byExternalId = loader.load({ externalId: file.externalId! });
    loader.clear({ id: other.id });

    expect(await byId).toEqual(file);
    expect(await byExternalId).toEqual(file);
    expect(byIdsRequests(cdf())).toHaveLength(1);
  });

  test('a key cleared after its request was sent is answered for its callers, but not cached, and other keys of the answer are', async () => {
    cdf().addFault({ request: 1, delayMs: 100 });
    const loader = createFilesLoader(optionsFor(cdf()));
    const [cleared, kept] = cdf().data.files;
    const inFlight = Promise.all([loader.load({ id: cleared!.id }), loader.load({ id: kept!.id })]);
    await until(() => byIdsRequests(cdf()).length === 1, 'the request');
    loader.clear({ id: cleared!.id });

    expect(await inFlight).toEqual([cleared, kept]);
    await loader.load({ id: kept!.id });
    expect(byIdsRequests(cdf())).toHaveLength(1);
    await loader.load({ id: cleared!.id });
    expect(byIdsRequests(cdf()).map((entry) => entry.items)).toEqual([[{ id: cleared!.id }, { id: kept!.id }], [{ id: cleared!.id }]]);
  });
});

describe('renames', () => {
  function versions(): { file: FileInfo; v1: FileInfo; v2: FileInfo } {
    const file = filesWith(cdf(), { externalId: true, instanceId: false })[0]!;
    const v1 = { ...file!, externalId: 'report-old.pdf' } as FileInfo;
    const v2 = { ...file!, externalId: 'report-new.pdf', name: 'report-new.pdf', lastUpdatedTime: v1.lastUpdatedTime + 1 } as FileInfo;
    return { file, v1, v2 };
  }

  test('storing the renamed version drops the old externalId, and `clear` by id leaves no alias', async () => {
    const { file, v1, v2 } = versions();
    cdf().addFault({ request: 1, status: 200, body: { items: [v1] } });
    cdf().addFault({ request: 2, status: 200, body: { items: [v2] } });
    cdf().addFault({ request: 3, status: 200, body: { items: [] } });
    const loader = createFilesLoader(optionsFor(cdf()));

    expect(await loader.load({ externalId: 'report-old.pdf' })).toEqual(v1);
    expect(await loader.load({ externalId: 'report-new.pdf' })).toEqual(v2);
    loader.clear({ id: file!.id });
    // The old name must be asked again (CDF no longer knows it), never served from the cache.
    expect(await loader.load({ externalId: 'report-old.pdf' })).toBeNull();
    expect(byIdsRequests(cdf()).map((entry) => entry.items)).toEqual([
      [{ externalId: 'report-old.pdf' }],
      [{ externalId: 'report-new.pdf' }],
      [{ externalId: 'report-old.pdf' }],
    ]);
  });

  test('`prime` of the renamed version drops the old externalId too', async () => {
    const { file, v1, v2 } = versions();
    cdf().addFault({ request: 1, status: 200, body: { items: [v1] } });
    cdf().addFault({ request: 2, status: 200, body: { items: [] } });
    const loader = createFilesLoader(optionsFor(cdf()));

    expect(await loader.load({ externalId: 'report-old.pdf' })).toEqual(v1);
    loader.prime(v2);
    expect(await loader.load({ id: file!.id })).toEqual(v2);
    expect(await loader.load({ externalId: 'report-new.pdf' })).toEqual(v2);
    expect(await loader.load({ externalId: 'report-old.pdf' })).toBeNull();
    expect(byIdsRequests(cdf())).toHaveLength(2);
  });
});
