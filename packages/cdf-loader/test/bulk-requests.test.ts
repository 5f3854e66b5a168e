import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { createFilesLoader, type Identifier } from '../src/index.js';
import { byIdsRequests, expectWellFormedRequests, optionsFor, shuffle, useMockCdf } from './support.js';

const cdf = useMockCdf({ counts: { files: 10_000 } });

/** Ids the fake has no file for: its generated ids are far above these. */
const unknownId = (n: number): Identifier => ({ id: n + 1 });

async function* asyncSource<T>(items: readonly T[]): AsyncGenerator<T> {
  yield* items;
}

let byKey: Map<unknown, unknown> | undefined;

/** What a direct lookup in the fake's data gives for `identifier` (by id or externalId). */
function expected(identifier: Identifier): unknown {
  byKey ??= new Map(cdf().data.files.flatMap((file): [unknown, unknown][] => [[file.id, file], [`e${file.externalId}`, file]]));
  return byKey.get('id' in identifier ? identifier.id : `e${(identifier as { externalId: string }).externalId}`) ?? null;
}

/** Distinct identifiers: known files by id or externalId, and a tenth unknown. */
function distinctIdentifiers(count: number, offset = 0): Identifier[] {
  const files = cdf().data.files;
  return Array.from({ length: count }, (_, index) => {
    const file = files[offset + index]!;
    if (index % 10 === 9) return unknownId(offset + index);
    return index % 3 === 0 && file.externalId !== undefined ? { externalId: file.externalId } : { id: file.id };
  });
}

describe('loadAll keeps its requests full', () => {
  test("the CLI's workload, 30,000 identifiers over 9,517 distinct in input order: ceil(9,517 / 1000) requests, not 22", async () => {
    const distinct = distinctIdentifiers(9_517);
    // Each identifier three times or so, repeats near and far, as a log of lookups would hold them.
    const input = Array.from({ length: 30_000 }, (_, index) => distinct[(index * 7_919) % distinct.length]!);
    const loader = createFilesLoader(optionsFor(cdf()));

    let count = 0;
    for await (const result of loader.loadAll(asyncSource(input))) {
      expect(result.item).toEqual(expected(input[count]!));
      count++;
    }

    expect(count).toBe(30_000);
    const sizes = byIdsRequests(cdf()).map((entry) => entry.items.length);
    expect(sizes.length).toBeLessThanOrEqual(Math.ceil(9_517 / 1000) + 2);
    expect(sizes.reduce((sum, size) => sum + size, 0)).toBe(9_517);
    expectWellFormedRequests(cdf());
  });

  test('any order of the input with duplicates and cache hits: requests ≤ ceil(distinct uncached / maxBatchSize) + 2, every result right', async () => {
    const maxBatchSize = 50;
    const scenario = fc.record({
      distinct: fc.integer({ min: 1, max: 400 }),
      // How often each distinct identifier appears (1..4), and how many of them are cached before the run.
      repeats: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 400, maxLength: 400 }),
      cached: fc.integer({ min: 0, max: 100 }),
      order: fc.constantFrom('sorted' as const, 'shuffled' as const, 'grouped' as const),
      seed: fc.integer(),
      maxConcurrency: fc.integer({ min: 1, max: 4 }),
      async: fc.boolean(),
    });

    await fc.assert(
      fc.asyncProperty(scenario, async ({ distinct, repeats, cached, order, seed, maxConcurrency, async }) => {
        const identifiers = distinctIdentifiers(distinct, 1_000);
        let input = identifiers.flatMap((identifier, index) => Array.from({ length: repeats[index]! }, () => identifier));
        if (order === 'shuffled') input = shuffle(input, seed);
        // 'grouped': each identifier's repeats side by side, as a sorted file with duplicates has them.
        if (order === 'sorted') input = [...input].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
        const loader = createFilesLoader(optionsFor(cdf(), { maxBatchSize, maxConcurrency }));
        const warm = identifiers.slice(0, Math.min(cached, distinct));
        await loader.loadMany(warm);
        cdf().reset();

        const results: unknown[] = [];
        for await (const result of loader.loadAll(async ? asyncSource(input) : input)) results.push(result.item);

        expect(results).toEqual(input.map(expected));
        const uncached = distinct - warm.length;
        const sizes = byIdsRequests(cdf()).map((entry) => entry.items.length);
        expect(sizes.length).toBeLessThanOrEqual(Math.ceil(uncached / maxBatchSize) + 2);
        expect(sizes.reduce((sum, size) => sum + size, 0)).toBe(uncached);
        expectWellFormedRequests(cdf());
        await loader.close();
      }),
      { numRuns: 40 },
    );
  });
});
