import { describe, expect, test, vi } from 'vitest';
import { createFilesLoader, type FileInfo, NotFoundError } from '../src/index.js';
import { byIdsRequests, filesWith, optionsFor, until, useFakeClock, useMockCdf } from './support.js';

const cdf = useMockCdf({ counts: { files: 500 } });

describe('the shared cache', () => {
  useFakeClock();

  test('a found item is served for `ttlMs`, then asked for again', async () => {
    const loader = createFilesLoader(optionsFor(cdf(), { cache: { ttlMs: 1000 } }));
    const file = cdf().data.files[0]!;
    await loader.load({ id: file.id });

    vi.advanceTimersByTime(999);
    expect(await loader.load({ id: file.id })).toEqual(file);
    expect(byIdsRequests(cdf())).toHaveLength(1);

    vi.advanceTimersByTime(2);
    expect(await loader.load({ id: file.id })).toEqual(file);
    expect(byIdsRequests(cdf())).toHaveLength(2);
  });

  test('"not found" is remembered for `notFoundTtlMs`', async () => {
    const loader = createFilesLoader(optionsFor(cdf(), { cache: { notFoundTtlMs: 500 } }));
    expect(await loader.load({ id: 42 })).toBeNull();
    vi.advanceTimersByTime(499);
    expect(await loader.load({ id: 42 })).toBeNull();
    expect(byIdsRequests(cdf())).toHaveLength(1);
    vi.advanceTimersByTime(2);
    expect(await loader.load({ id: 42 })).toBeNull();
    expect(byIdsRequests(cdf())).toHaveLength(2);
  });

  test('hits of an entry share one settled promise, until the entry is replaced or expires', async () => {
    const loader = createFilesLoader(optionsFor(cdf(), { cache: { ttlMs: 1000 } }));
    const file = cdf().data.files[0]!;
    await loader.load({ id: file.id });
    const hit = loader.load({ id: file.id });
    expect(loader.load({ id: file.id })).toBe(hit);
    expect(await hit).toEqual(file);

    const renamed: FileInfo = { ...file, name: 'renamed.pdf' };
    loader.prime(renamed);
    const afterPrime = loader.load({ id: file.id });
    expect(afterPrime).not.toBe(hit);
    expect(await afterPrime).toEqual(renamed);

    vi.advanceTimersByTime(1000);
    const afterExpiry = loader.load({ id: file.id });
    expect(afterExpiry).not.toBe(afterPrime);
    expect(await afterExpiry).toEqual(file);
    expect(byIdsRequests(cdf())).toHaveLength(2);
    expect(loader.stats()).toMatchObject({ loads: 5, cacheHits: 3 });
  });

  test('a cached "not found" is `null` at every hit, or a new `NotFoundError` each time with `missing: \'error\'`', async () => {
    const nulls = createFilesLoader(optionsFor(cdf()));
    expect(await nulls.load({ id: 42 })).toBeNull();
    expect(await nulls.load({ id: 42 })).toBeNull();
    const errors = createFilesLoader(optionsFor(cdf(), { missing: 'error' }));
    await expect(errors.load({ id: 42 })).rejects.toThrow(NotFoundError);
    const first = errors.load({ id: 42 }).catch((error: unknown) => error);
    const second = errors.load({ id: 42 }).catch((error: unknown) => error);
    expect(await first).toBeInstanceOf(NotFoundError);
    expect(await first).not.toBe(await second);
    expect(byIdsRequests(cdf())).toHaveLength(2);
  });

  test('`notFoundTtlMs: 0` never remembers "not found"', async () => {
    const loader = createFilesLoader(optionsFor(cdf(), { cache: { notFoundTtlMs: 0 } }));
    expect(await loader.load({ id: 42 })).toBeNull();
    expect(await loader.load({ id: 42 })).toBeNull();
    expect(byIdsRequests(cdf())).toHaveLength(2);
  });

  test('`max` bounds the entries: the least recently used goes first', async () => {
    const loader = createFilesLoader(optionsFor(cdf(), { cache: { max: 2 } }));
    const [a, b, c] = filesWith(cdf(), { externalId: false, instanceId: false });
    for (const file of [a!, b!, c!]) await loader.load({ id: file.id });
    expect(byIdsRequests(cdf())).toHaveLength(3);

    await loader.load({ id: c!.id });
    await loader.load({ id: b!.id });
    expect(byIdsRequests(cdf())).toHaveLength(3);
    await loader.load({ id: a!.id });
    expect(byIdsRequests(cdf())).toHaveLength(4);
  });

  test('`clear` by one identifier drops every identifier of the item', async () => {
    const loader = createFilesLoader(optionsFor(cdf()));
    const file = filesWith(cdf(), { externalId: true, instanceId: true })[0]!;
    await loader.load({ id: file.id });
    loader.clear({ externalId: file.externalId! });

    await loader.load({ instanceId: file.instanceId! });
    expect(byIdsRequests(cdf()).map((entry) => entry.items)).toEqual([[{ id: file.id }], [{ instanceId: file.instanceId }]]);
  });

  test('`prime` stores an item under all its identifiers, replacing what was cached', async () => {
    const loader = createFilesLoader(optionsFor(cdf()));
    const file = filesWith(cdf(), { externalId: true, instanceId: true })[1]!;
    await loader.load({ id: file.id });
    const renamed: FileInfo = { ...file, name: 'renamed.pdf' };

    loader.prime(renamed);
    expect(await loader.load({ externalId: file.externalId! })).toEqual(renamed);
    expect(await loader.load({ instanceId: file.instanceId! })).toEqual(renamed);
    expect(await loader.load({ id: file.id })).toEqual(renamed);
    expect(byIdsRequests(cdf())).toHaveLength(1);
    expect(() => loader.prime({ name: 'x' } as FileInfo)).toThrow(
      new TypeError('`prime` needs an item CDF could have sent: `id` must be an integer from 1 to 9007199254740991, got undefined.'),
    );
  });

  test('`clearAll` empties the cache', async () => {
    const loader = createFilesLoader(optionsFor(cdf()));
    const files = cdf().data.files.slice(0, 3);
    await Promise.all(files.map((file) => loader.load({ id: file.id })));
    loader.clearAll();
    await Promise.all(files.map((file) => loader.load({ id: file.id })));
    expect(byIdsRequests(cdf())).toHaveLength(2);
  });

  test('a clear while a request is in flight: the answer reaches its callers but is not cached', async () => {
    const loader = createFilesLoader(optionsFor(cdf()));
    const file = cdf().data.files[0]!;
    const inFlight = loader.load({ id: file.id });
    await until(() => byIdsRequests(cdf()).length === 1, 'the request');
    loader.clear({ id: file.id });
    const afterClear = loader.load({ id: file.id }); // must not join the older request

    expect(await inFlight).toEqual(file);
    expect(await afterClear).toEqual(file);
    expect(byIdsRequests(cdf())).toHaveLength(2);
  });

  test('a clear by another alias while a request is in flight: new loads by any alias ask again', async () => {
    const loader = createFilesLoader(optionsFor(cdf()));
    const file = filesWith(cdf(), { externalId: true, instanceId: false })[2]!;
    const inFlight = loader.load({ id: file.id });
    await until(() => byIdsRequests(cdf()).length === 1, 'the request');
    loader.clear({ externalId: file.externalId! });
    const byAlias = loader.load({ externalId: file.externalId! });

    expect(await inFlight).toEqual(file);
    expect(await byAlias).toEqual(file);
    expect(byIdsRequests(cdf()).map((entry) => entry.items)).toEqual([[{ id: file.id }], [{ externalId: file.externalId }]]);
    // Only the answer asked after the clear was cached.
    await loader.load({ id: file.id });
    expect(byIdsRequests(cdf())).toHaveLength(2);
  });

  test('`prime` while a request for the item is in flight: the primed item wins over the older answer', async () => {
    const loader = createFilesLoader(optionsFor(cdf()));
    const file = cdf().data.files[3]!;
    const inFlight = loader.load({ id: file.id });
    await until(() => byIdsRequests(cdf()).length === 1, 'the request');
    const updated = { ...file, name: 'updated.pdf' };
    loader.prime(updated);

    expect(await inFlight).toEqual(file); // asked before the prime
    expect(await loader.load({ id: file.id })).toEqual(updated);
    expect(byIdsRequests(cdf())).toHaveLength(1);
  });

  test('`cache: false` stores nothing but still dedupes within a tick', async () => {
    const loader = createFilesLoader(optionsFor(cdf(), { cache: false }));
    const file = cdf().data.files[0]!;
    await Promise.all([loader.load({ id: file.id }), loader.load({ id: file.id })]);
    await loader.load({ id: file.id });
    expect(byIdsRequests(cdf()).map((entry) => entry.items)).toEqual([[{ id: file.id }], [{ id: file.id }]]);
  });
});
