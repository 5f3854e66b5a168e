import { describe, expect, it, vi } from 'vitest';
import type { MockCdf } from '@cdf-loader/mock-cdf';
import { at, request, useApp, useMockCdf } from './support.js';

const cdf = useMockCdf({ counts: { files: 100 } });

/**
 * A `fetch` that holds the first request until `release()`. With one concurrency slot, that
 * keeps the slot busy for exactly as long as the test wants, without timing.
 */
function gatedFetch() {
  let release = (): void => {};
  let firstSent = (): void => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  const sent = new Promise<void>((resolve) => (firstSent = resolve));
  let first = true;
  const fetch: typeof globalThis.fetch = async (input, init) => {
    if (first) {
      first = false;
      firstSent();
      await gate;
    }
    return globalThis.fetch(input, init);
  };
  return { fetch, release, sent };
}

let gate = gatedFetch();
const app = useApp(cdf, () => {
  gate = gatedFetch();
  return { maxConcurrency: 1, fetch: gate.fetch };
});

/** 200 GETs, 4 for each of 50 files, all in flight at once. */
function twoHundredGets(fake: MockCdf, url: string) {
  const files = fake.data.files.slice(0, 50);
  return { files, replies: Promise.all(Array.from({ length: 200 }, (_, i) => request(`${url}/files/${at(files, i % 50).id}`))) };
}

const ids = (items: unknown[]) => (items as { id: number }[]).map((item) => item.id).sort((x, y) => x - y);

describe('one shared loader under concurrent load', () => {
  it('200 concurrent GETs for 50 files: each file is asked of CDF exactly once', async () => {
    gate.release();
    const { files, replies } = twoHundredGets(cdf(), app().url);

    const answers = await replies;

    expect(answers).toEqual(Array.from({ length: 200 }, (_, i) => ({ status: 200, body: files[i % 50] })));
    // However the requests interleave, a key in flight is joined and a key answered is cached.
    expect(ids(cdf().log.flatMap((entry) => entry.items))).toEqual(ids(files));
  });

  it('while the slot is busy, the whole burst waits in one request: 50 distinct files → exactly one byids of 50', async () => {
    const warmUp = at(cdf().data.files, 99);
    const held = request(`${app().url}/files/${warmUp.id}`);
    await gate.sent;
    const { files, replies } = twoHundredGets(cdf(), app().url);
    // Every GET has reached the loader: 1 held + 200 queued behind it.
    await vi.waitFor(() => expect(app().files.stats().loads).toBe(201));

    gate.release();
    const answers = await replies;

    expect(await held).toEqual({ status: 200, body: warmUp });
    expect(answers).toEqual(Array.from({ length: 200 }, (_, i) => ({ status: 200, body: files[i % 50] })));
    const [first, second, ...rest] = cdf().log;
    expect(first?.items).toEqual([{ id: warmUp.id }]);
    expect(ids(second?.items ?? [])).toEqual(ids(files)); // ceil(50 / 1000) = 1 request
    expect(rest).toEqual([]);
    expect(app().files.stats()).toMatchObject({ loads: 201, requests: 2, inflightJoins: 150 });
  });
});
