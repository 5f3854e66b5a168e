import { describe, expect, test, vi } from 'vitest';
import { createFilesLoader } from '../src/index.js';
import { byIdsRequests, expectWellFormedRequests, nextMacrotask, optionsFor, useMockCdf } from './support.js';

// One file by two identifiers in a request is answered once per identifier here: these tests are about
// coalescing and matching answers; the `duplicated` answer CDF gives instead has duplicated.test.ts.
const cdf = useMockCdf({ counts: { files: 6000 }, aliasDuplicates: 'answered' });

describe('coalescing', () => {
  test('20,000 loads over 5,000 files in one tick send exactly 5 full requests', async () => {
    const loader = createFilesLoader(optionsFor(cdf()));
    const files = cdf().data.files.slice(0, 5000);
    const wanted = Array.from({ length: 20_000 }, (_, index) => files[(index * 7) % files.length]!);

    const results = await Promise.all(wanted.map((file) => loader.load({ id: file.id })));

    expect(results).toEqual(wanted);
    const requests = byIdsRequests(cdf());
    expect(requests.map((entry) => entry.items.length)).toEqual([1000, 1000, 1000, 1000, 1000]);
    expectWellFormedRequests(cdf());
    const sent = requests.flatMap((entry) => entry.items.map((item) => (item as { id: number }).id));
    expect(new Set(sent)).toEqual(new Set(files.map((file) => file.id)));
  });

  test('a key asked again while its request is in flight joins it', async () => {
    const loader = createFilesLoader(optionsFor(cdf(), { cache: false }));
    const file = cdf().data.files[0]!;
    const first = loader.load({ id: file.id });
    await nextMacrotask(); // the request is sent
    const second = loader.load({ id: file.id });

    expect(await Promise.all([first, second])).toEqual([file, file]);
    expect(byIdsRequests(cdf())).toHaveLength(1);
    expect(loader.stats()).toMatchObject({ loads: 2, inflightJoins: 1, requests: 1 });
  });

  test('loads after awaiting already-settled promises still join the same request', async () => {
    const loader = createFilesLoader(optionsFor(cdf()));
    const [a, b, c] = cdf().data.files;
    const results = await Promise.all([
      loader.load({ id: a!.id }),
      Promise.resolve().then(() => loader.load({ id: b!.id })),
      Promise.resolve().then(async () => {
        await Promise.resolve();
        return loader.load({ id: c!.id });
      }),
    ]);
    expect(results).toEqual([a, b, c]);
    expect(byIdsRequests(cdf())).toHaveLength(1);
  });

  test('without a batch window, loads of separate ticks are separate requests', async () => {
    const loader = createFilesLoader(optionsFor(cdf()));
    const [a, b] = cdf().data.files;
    const first = loader.load({ id: a!.id });
    await nextMacrotask();
    const second = loader.load({ id: b!.id });
    await Promise.all([first, second]);
    expect(byIdsRequests(cdf()).map((entry) => entry.items)).toEqual([[{ id: a!.id }], [{ id: b!.id }]]);
  });

  test('`batchWindowMs` collects the loads of several ticks into one request', async () => {
    vi.useFakeTimers();
    try {
      const loader = createFilesLoader(optionsFor(cdf(), { batchWindowMs: 20 }));
      const [a, b, c] = cdf().data.files;
      const loads = [loader.load({ id: a!.id })];
      await vi.advanceTimersByTimeAsync(10);
      loads.push(loader.load({ id: b!.id }));
      await vi.advanceTimersByTimeAsync(9);
      loads.push(loader.load({ id: c!.id }));
      expect(byIdsRequests(cdf())).toHaveLength(0);
      await vi.advanceTimersByTimeAsync(1);

      expect(await Promise.all(loads)).toEqual([a, b, c]);
      expect(byIdsRequests(cdf()).map((entry) => entry.items)).toEqual([[{ id: a!.id }, { id: b!.id }, { id: c!.id }]]);
    } finally {
      vi.useRealTimers();
    }
  });

  test('a key repeated within one tick is sent once, whatever identifier object carries it', async () => {
    const loader = createFilesLoader(optionsFor(cdf()));
    const file = cdf().data.files.find((candidate) => candidate.externalId !== undefined)!;
    const results = await Promise.all([
      loader.load({ externalId: file.externalId! }),
      loader.load({ externalId: `${file.externalId!}` }),
      loader.load({ id: file.id }),
      loader.load({ id: file.id }),
    ]);
    expect(results).toEqual([file, file, file, file]);
    expect(byIdsRequests(cdf()).map((entry) => entry.items)).toEqual([[{ externalId: file.externalId }, { id: file.id }]]);
    expectWellFormedRequests(cdf());
  });

  test('what is sent is what was checked, even when the caller reuses and changes one object', async () => {
    const loader = createFilesLoader(optionsFor(cdf()));
    const files = cdf().data.files.slice(0, 3);
    const reused = { id: 0 };
    const loads = files.map((file) => {
      reused.id = file.id;
      return loader.load(reused);
    });
    expect(await Promise.all(loads)).toEqual(files);
    expect(byIdsRequests(cdf()).map((entry) => entry.items)).toEqual([files.map((file) => ({ id: file.id }))]);
  });
});
