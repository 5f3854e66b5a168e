import { describe, expect, test, vi } from 'vitest';
import {
  CdfApiError,
  createCdfLoaders,
  createFileLinksLoader,
  createMemorySharedCache,
  createMemorySharedConcurrency,
  type FileLink,
  NotFoundError,
  type RequestEvent,
} from '../src/index.js';
import { optionsFor, requestsTo, useFakeClock, useMockCdf } from './support.js';

const cdf = useMockCdf({ counts: { files: 400 } });
const LINKS = 'files/downloadlink';

/** The identifier a link answers, without its URL and expiry. */
function identifierOf(link: FileLink | null): unknown {
  if (link === null) return null;
  const { downloadUrl: _url, expiresAt: _expiry, ...identifier } = link;
  return identifier;
}

describe('download links', () => {
  useFakeClock();

  test('loads of many callers in one tick: deduped, in requests of at most 100, each answered with its own identifier', async () => {
    const links = createFileLinksLoader(optionsFor(cdf()));
    const files = cdf().data.files.slice(0, 250);
    const identifiers = files.flatMap((file) => [{ id: file.id }, ...(file.externalId === undefined ? [] : [{ externalId: file.externalId }])]);
    const sentAt = Date.now();
    const answers = await Promise.all([...identifiers, ...identifiers.slice(0, 40)].map((identifier) => links.load(identifier)));

    const sent = requestsTo(cdf(), LINKS);
    expect(sent.map((entry) => entry.items.length)).toEqual(chunksOf(identifiers.length, 100));
    expect(sent.flatMap((entry) => entry.items)).toEqual(identifiers);
    expect(answers.slice(0, identifiers.length).map(identifierOf)).toEqual(identifiers);
    for (const [index, link] of answers.entries()) {
      const file = files.find((candidate) => candidate.id === (identifiers[index % identifiers.length] as { id?: number }).id) ;
      if (file !== undefined) expect(link!.downloadUrl).toContain(`/download/${file.id}?`);
      expect(link!.expiresAt).toBe(sentAt + 30_000);
    }
    expect(links.stats()).toMatchObject({ requests: sent.length, itemsRequested: identifiers.length, inflightJoins: 40 });
  });

  test('by instanceId too, and `extendedExpiration` asks for 1-hour links', async () => {
    const links = createFileLinksLoader(optionsFor(cdf(), { extendedExpiration: true }));
    const file = cdf().data.files.find((candidate) => candidate.instanceId !== undefined)!;
    const link = await links.load({ instanceId: file.instanceId! });
    expect(identifierOf(link)).toEqual({ instanceId: file.instanceId });
    expect(link!.expiresAt).toBe(Date.now() + 3_600_000);
    expect(requestsTo(cdf(), LINKS)).toMatchObject([{ query: 'extendedExpiration=true', items: [{ instanceId: file.instanceId }] }]);
  });

  test('a link is cached until `expiryMarginMs` before it expires, then asked for again: never handed out expired', async () => {
    const links = createFileLinksLoader(optionsFor(cdf(), { expiryMarginMs: 5_000, cache: { ttlMs: 600_000 } }));
    const id = cdf().data.files[0]!.id;
    const first = await links.load({ id });
    vi.advanceTimersByTime(24_999);
    expect(await links.load({ id })).toBe(first);
    expect(requestsTo(cdf(), LINKS)).toHaveLength(1);
    vi.advanceTimersByTime(1);
    const second = await links.load({ id });
    expect(second!.expiresAt).toBe(Date.now() + 30_000);
    expect(second!.downloadUrl).not.toBe(first!.downloadUrl);
    expect(requestsTo(cdf(), LINKS)).toHaveLength(2);
  });

  test('`cache.ttlMs` shorter than a link still bounds how long it is kept', async () => {
    const links = createFileLinksLoader(optionsFor(cdf(), { cache: { ttlMs: 1_000 } }));
    const id = cdf().data.files[0]!.id;
    await links.load({ id });
    vi.advanceTimersByTime(1_001);
    await links.load({ id });
    expect(requestsTo(cdf(), LINKS)).toHaveLength(2);
  });

  test('the shared tier never hands a replica an expired link, though it keeps entries longer', async () => {
    const shared = createMemorySharedCache();
    const a = createFileLinksLoader(optionsFor(cdf(), { cache: { shared } }));
    const b = createFileLinksLoader(optionsFor(cdf(), { cache: { shared: shared.replica() } }));
    const id = cdf().data.files[0]!.id;
    const link = await a.load({ id });
    expect(await b.load({ id })).toEqual(link);
    expect(b.stats()).toMatchObject({ sharedHits: 1, requests: 0 });

    const c = createFileLinksLoader(optionsFor(cdf(), { cache: { shared: shared.replica() } }));
    vi.advanceTimersByTime(25_000);
    const fresh = await c.load({ id });
    expect(fresh!.expiresAt).toBe(Date.now() + 30_000);
    expect(c.stats()).toMatchObject({ sharedHits: 0, requests: 1 });
    expect(requestsTo(cdf(), LINKS)).toHaveLength(2);
  });

  test('30-second and 1-hour links are different entries of the shared tier', async () => {
    const shared = createMemorySharedCache();
    const short = createFileLinksLoader(optionsFor(cdf(), { cache: { shared } }));
    const long = createFileLinksLoader(optionsFor(cdf(), { extendedExpiration: true, cache: { shared: shared.replica() } }));
    const id = cdf().data.files[0]!.id;
    await short.load({ id });
    expect((await long.load({ id }))!.expiresAt).toBe(Date.now() + 3_600_000);
    expect(requestsTo(cdf(), LINKS)).toHaveLength(2);
  });

  test('CDF refuses a request naming unknown files (400 with `missing`): those are null, the rest is sent again at once', async () => {
    const events: RequestEvent[] = [];
    const links = createFileLinksLoader(optionsFor(cdf(), { onRequest: (event) => events.push(event) }));
    const [a, b] = cdf().data.files;
    const answers = await links.loadMany([{ id: a!.id }, { externalId: 'ghost' }, { id: 1 }, { id: b!.id }]);
    expect(answers.map((answer) => identifierOf(answer as FileLink | null))).toEqual([{ id: a!.id }, null, null, { id: b!.id }]);
    expect(requestsTo(cdf(), LINKS).map((entry) => [entry.status, entry.items])).toEqual([
      [400, [{ id: a!.id }, { externalId: 'ghost' }, { id: 1 }, { id: b!.id }]],
      [200, [{ id: a!.id }, { id: b!.id }]],
    ]);
    expect(events.map((event) => [event.status, event.attempt, event.items])).toEqual([[400, 1, 4], [200, 1, 2]]);
    expect(links.stats()).toMatchObject({ notFound: 2, requestFailures: 0, retries: 0 });
    // "Not found" is cached like any other.
    expect(await links.load({ externalId: 'ghost' })).toBeNull();
    expect(requestsTo(cdf(), LINKS)).toHaveLength(2);
  });

  test("with `missing: 'error'` unknown files reject with NotFoundError; a request of unknown files only is sent once", async () => {
    const links = createFileLinksLoader(optionsFor(cdf(), { missing: 'error' }));
    const results = await Promise.allSettled([links.load({ externalId: 'ghost' }), links.load({ id: 1 })]);
    expect(results.map((result) => (result.status === 'rejected' ? [result.reason.constructor, result.reason.message] : 'fulfilled'))).toEqual([
      [NotFoundError, 'No file with externalId "ghost".'],
      [NotFoundError, 'No file with id 1.'],
    ]);
    expect(requestsTo(cdf(), LINKS)).toHaveLength(1);
  });

  test('`cdf.fileLinks` shares the set\'s token and limit and takes `fileLinks` options; `maxBatchSize` above 100 is capped there', async () => {
    const set = createCdfLoaders(optionsFor(cdf(), { maxBatchSize: 1000, fileLinks: { extendedExpiration: true } }));
    const ids = cdf().data.files.slice(0, 150).map((file) => ({ id: file.id }));
    await Promise.all(ids.map((identifier) => set.fileLinks.load(identifier)));
    expect(requestsTo(cdf(), LINKS).map((entry) => [entry.items.length, entry.query])).toEqual([
      [100, 'extendedExpiration=true'],
      [50, 'extendedExpiration=true'],
    ]);
    await set.close();
  });

  test('bad options throw at construction, naming the option and the value', () => {
    expect(() => createFileLinksLoader(optionsFor(cdf(), { maxBatchSize: 101 }))).toThrow(
      new TypeError("`maxBatchSize` must be an integer from 1 to 100 (CDF's limit for files/downloadlink), got 101."),
    );
    expect(() => createFileLinksLoader({ ...optionsFor(cdf()), expiryMarginMs: 30_000 })).toThrow(
      new TypeError("`expiryMarginMs` must be less than a link's life (30000 ms), got 30000."),
    );
    expect(() => createFileLinksLoader({ ...optionsFor(cdf()), extendedExpiration: 'yes' as never })).toThrow(
      new TypeError("`extendedExpiration` must be true or false, got \"yes\"."),
    );
    expect(() => createCdfLoaders({ ...optionsFor(cdf()), fileLinks: { extendedExpiraton: true } as never })).toThrow(
      new TypeError('Unknown option `fileLinks.extendedExpiraton`; did you mean `fileLinks.extendedExpiration`?'),
    );
    expect(() => createCdfLoaders({ ...optionsFor(cdf()), extendedExpiration: true } as never)).toThrow(/^Unknown option `extendedExpiration`/);
  });
});

describe('download links, on the real clock', () => {
  test('under the same budgets as byids: a shared budget of 1 holds every replica to one request in flight', async () => {
    const budget = createMemorySharedConcurrency(1);
    const a = createFileLinksLoader(optionsFor(cdf(), { sharedConcurrency: budget, maxBatchSize: 50 }));
    const b = createFileLinksLoader(optionsFor(cdf(), { sharedConcurrency: budget, maxBatchSize: 50 }));
    const files = cdf().data.files.slice(0, 200);
    await Promise.all(files.map((file, index) => (index % 2 === 0 ? a : b).load({ id: file.id })));
    expect(requestsTo(cdf(), LINKS).map((entry) => entry.items.length)).toEqual([50, 50, 50, 50]);
    expect(cdf().counters.maxConcurrent).toBe(1);
  });

  test('retried like byids: a 503 is retried, a 500 fails its keys with the endpoint in the message', async () => {
    const links = createFileLinksLoader(optionsFor(cdf(), { retry: { baseDelayMs: 0, maxDelayMs: 0 } }));
    const id = cdf().data.files[0]!.id;
    cdf().addFault({ resource: LINKS, request: 1, status: 503 });
    expect(identifierOf(await links.load({ id }))).toEqual({ id });
    expect(links.stats()).toMatchObject({ retries: 1, requests: 2 });

    cdf().addFault({ resource: LINKS, status: 500 });
    const error = await links.load({ id: cdf().data.files[1]!.id }).catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(CdfApiError);
    expect((error as CdfApiError).message).toMatch(/^CDF files\/downloadlink failed with 500: Internal Server Error \(request id /);
  });
});

function chunksOf(total: number, size: number): number[] {
  return Array.from({ length: Math.ceil(total / size) }, (_, index) => Math.min(size, total - index * size));
}
