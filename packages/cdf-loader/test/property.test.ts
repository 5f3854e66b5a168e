import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { createFilesLoader, type Identifier, InvalidIdentifierError, NotFoundError } from '../src/index.js';
import { byIdsRequests, expectWellFormedRequests, nextMacrotask, optionsFor, useMockCdf } from './support.js';

const cdf = useMockCdf({ counts: { files: 400 }, shuffle: true });

/** Identifiers of every sort: of known files by each kind, unknown ones, and invalid ones. */
function identifierArbitrary(): fc.Arbitrary<unknown> {
  const files = cdf().data.files;
  const known = fc.integer({ min: 0, max: files.length - 1 }).chain((index) => {
    const file = files[index]!;
    const choices: unknown[] = [{ id: file.id }];
    if (file.externalId !== undefined) choices.push({ externalId: file.externalId });
    if (file.instanceId !== undefined) choices.push({ instanceId: { ...file.instanceId } });
    return fc.constantFrom(...choices);
  });
  const unknown = fc.oneof(
    fc.integer({ min: 1, max: 1000 }).map((id) => ({ id })),
    fc.string({ minLength: 1, maxLength: 8 }).map((text) => ({ externalId: `unknown:${text}` })),
    fc.string({ minLength: 1, maxLength: 8 }).map((text) => ({ instanceId: { space: 'nowhere', externalId: text } })),
  );
  const invalid = fc.constantFrom<unknown>(null, {}, { id: 0 }, { id: 1, externalId: 'a' }, { externalId: '' }, { instanceId: { space: '9' } });
  return fc.oneof({ arbitrary: known, weight: 6 }, { arbitrary: unknown, weight: 2 }, { arbitrary: invalid, weight: 1 });
}

describe('any mix of loads', () => {
  test('settles every load once, with what a direct lookup in the data gives', async () => {
    const scenario = fc.record({
      waves: fc.array(fc.array(identifierArbitrary(), { maxLength: 60 }), { minLength: 1, maxLength: 5 }),
      maxBatchSize: fc.integer({ min: 1, max: 40 }),
      maxConcurrency: fc.integer({ min: 1, max: 4 }),
      cache: fc.boolean(),
      missing: fc.constantFrom('null' as const, 'error' as const),
    });

    await fc.assert(
      fc.asyncProperty(scenario, async ({ waves, maxBatchSize, maxConcurrency, cache, missing }) => {
        cdf().reset();
        const loader = createFilesLoader(optionsFor(cdf(), { maxBatchSize, maxConcurrency, missing, ...(cache ? {} : { cache: false }) }));
        const loads: { identifier: unknown; settled: Promise<PromiseSettledResult<unknown>> }[] = [];
        for (const wave of waves) {
          for (const identifier of wave) {
            const settled = Promise.allSettled([loader.load(identifier as Identifier)]).then(([result]) => result!);
            loads.push({ identifier, settled });
          }
          await nextMacrotask();
        }

        for (const { identifier, settled } of loads) {
          const result = await settled;
          const expected = isValid(identifier) ? cdf().data.find('files', identifier) : 'invalid';
          if (expected === 'invalid') {
            expect(result.status === 'rejected' && result.reason instanceof InvalidIdentifierError).toBe(true);
          } else if (expected === undefined && missing === 'error') {
            expect(result.status === 'rejected' && result.reason instanceof NotFoundError).toBe(true);
          } else {
            expect(result).toEqual({ status: 'fulfilled', value: expected ?? null });
          }
        }
        expectWellFormedRequests(cdf());
        for (const entry of byIdsRequests(cdf())) expect(entry.items.length).toBeLessThanOrEqual(maxBatchSize);
        expect(cdf().counters.maxConcurrent).toBeLessThanOrEqual(maxConcurrency);
      }),
      { numRuns: 60 },
    );
  });
});

function isValid(identifier: unknown): boolean {
  if (typeof identifier !== 'object' || identifier === null) return false;
  const keys = Object.keys(identifier);
  if (keys.length !== 1) return false;
  const { id, externalId, instanceId } = identifier as { id?: unknown; externalId?: unknown; instanceId?: { space?: unknown } };
  if (keys[0] === 'id') return typeof id === 'number' && id >= 1;
  if (keys[0] === 'externalId') return typeof externalId === 'string' && externalId.length > 0;
  return typeof instanceId?.space === 'string' && /^[a-zA-Z]/.test(instanceId.space);
}
