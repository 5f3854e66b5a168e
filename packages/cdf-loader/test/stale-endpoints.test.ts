import { VIEWS } from '@cdf-loader/mock-cdf';
import { describe, expect, test, vi } from 'vitest';
import { createFileLinksLoader, createInstancesLoader, createMemorySharedCache, type InstanceIdentifier } from '../src/index.js';
import { optionsFor, requestsTo, until, useFakeClock, useMockCdf } from './support.js';

// Stale answers (cache.staleIfErrorMs, cache.staleWhileRevalidateMs) for the endpoints that are not
// byids: what they send and serve follows the endpoint's own rules, as a fresh load does.
const cdf = useMockCdf({ counts: { files: 100 } });
const sources = [{ source: VIEWS.file }];
const LINKS = 'files/downloadlink';
const INSTANCES = 'models/instances';

useFakeClock();

function firstNode(): InstanceIdentifier {
  const { space, externalId } = cdf().data.instances.find((instance) => instance.instanceType === 'node')!;
  return { instanceType: 'node', space, externalId };
}

describe('stale answers of endpoints other than byids', () => {
  test('stale while revalidate refreshes an instance by its own reference', async () => {
    const instances = createInstancesLoader(optionsFor(cdf(), { sources, cache: { ttlMs: 1_000, staleWhileRevalidateMs: 5_000 } }));
    const reference = firstNode();
    const node = await instances.load(reference);
    vi.advanceTimersByTime(1_001);

    expect(await instances.load(reference)).toBe(node);
    await until(() => instances.stats().itemsReturned === 2, 'the refresh to be answered');
    expect(requestsTo(cdf(), INSTANCES).map((entry) => entry.items)).toEqual([[reference], [reference]]);
  });

  test('an instance another replica stored is served through an outage within the grace', async () => {
    const shared = createMemorySharedCache({ ttlMs: 1_000 });
    const cache = { ttlMs: 1_000, staleIfErrorMs: 5_000 };
    const writer = createInstancesLoader(optionsFor(cdf(), { sources, cache: { ...cache, shared }, retry: { limit: 0 } }));
    const reference = firstNode();
    const node = await writer.load(reference);
    await writer.close();
    vi.advanceTimersByTime(1_001);
    cdf().addFault({ status: 503 });

    const started = createInstancesLoader(optionsFor(cdf(), { sources, cache: { ...cache, shared: shared.replica() }, retry: { limit: 0 } }));
    expect(await started.load(reference)).toEqual(node);
    expect(started.stats()).toMatchObject({ staleServed: 1 });
  });

  test('a download link is never served stale: past its life it is asked for again', async () => {
    const links = createFileLinksLoader(
      optionsFor(cdf(), { expiryMarginMs: 5_000, retry: { limit: 0 }, cache: { ttlMs: 600_000, staleWhileRevalidateMs: 60_000, staleIfErrorMs: 60_000 } }),
    );
    const id = cdf().data.files[0]!.id;
    const first = await links.load({ id });
    vi.advanceTimersByTime(25_000);

    const second = await links.load({ id });
    expect(second).not.toBe(first);
    expect(second!.expiresAt).toBe(Date.now() + 30_000);
    expect(links.stats()).toMatchObject({ staleWhileRevalidate: 0 });
    expect(requestsTo(cdf(), LINKS)).toHaveLength(2);

    vi.advanceTimersByTime(25_000);
    cdf().addFault({ status: 503 });
    await expect(links.load({ id })).rejects.toMatchObject({ status: 503 });
    expect(links.stats()).toMatchObject({ staleServed: 0 });
  });
});
