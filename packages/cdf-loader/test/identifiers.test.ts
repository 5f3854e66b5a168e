import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { identifierKey } from '../src/identifiers/identifiers.js';
import { createCdfLoaders, createFilesLoader, InvalidIdentifierError, parseIdentifier, timeSeries } from '../src/index.js';
import { byIdsRequests, optionsFor, useMockCdf } from './support.js';

const cdf = useMockCdf({ counts: { files: 10 } });
const ALL_KINDS = new Set(['id', 'externalId', 'instanceId'] as const);

const INVALID: [string, unknown, string][] = [
  ['null', null, 'Invalid identifier null: expected an object with exactly one of `id`, `externalId`, `instanceId`.'],
  ['a number', 5, 'Invalid identifier 5: expected an object with exactly one of `id`, `externalId`, `instanceId`.'],
  ['an array', [{ id: 1 }], 'Invalid identifier [{"id":1}]: expected an object with exactly one of `id`, `externalId`, `instanceId`.'],
  ['no key', {}, 'Invalid identifier {}: expected exactly one of `id`, `externalId`, `instanceId`.'],
  ['two keys', { id: 1, externalId: 'a' }, 'Invalid identifier {"id":1,"externalId":"a"}: has both `id` and `externalId`; give exactly one.'],
  ['an unknown key', { ids: 1 }, 'Invalid identifier {"ids":1}: unknown key `ids`; allowed: `id`, `externalId`, `instanceId`.'],
  ['id 0', { id: 0 }, 'Invalid identifier {"id":0}: `id` must be an integer from 1 to 9007199254740991, got 0.'],
  ['a negative id', { id: -3 }, 'Invalid identifier {"id":-3}: `id` must be an integer from 1 to 9007199254740991, got -3.'],
  ['a fractional id', { id: 1.5 }, 'Invalid identifier {"id":1.5}: `id` must be an integer from 1 to 9007199254740991, got 1.5.'],
  ['an id above 2^53-1', { id: 2 ** 53 }, 'Invalid identifier {"id":9007199254740992}: `id` must be an integer from 1 to 9007199254740991, got 9007199254740992.'],
  ['a string id', { id: '12' }, 'Invalid identifier {"id":"12"}: `id` must be an integer from 1 to 9007199254740991, got "12".'],
  ['a NaN id', { id: Number.NaN }, 'Invalid identifier {"id":NaN}: `id` must be an integer from 1 to 9007199254740991, got NaN.'],
  ['an empty externalId', { externalId: '' }, 'Invalid identifier {"externalId":""}: `externalId` must be a string of 1 to 255 characters, got "" (0 characters).'],
  ['a numeric externalId', { externalId: 7 }, 'Invalid identifier {"externalId":7}: `externalId` must be a string of 1 to 255 characters, got 7.'],
  ['a null instanceId', { instanceId: null }, 'Invalid identifier {"instanceId":null}: `instanceId` must be an object with `space` and `externalId`, got null.'],
  [
    'a bad space',
    { instanceId: { space: '1space', externalId: 'doc' } },
    'Invalid identifier {"instanceId":{"space":"1space","externalId":"doc"}}: `instanceId.space` must match ^[a-zA-Z][a-zA-Z0-9_-]{0,41}[a-zA-Z0-9]?$, got "1space".',
  ],
  [
    'a 44-character space',
    { instanceId: { space: `s${'p'.repeat(43)}`, externalId: 'doc' } },
    `Invalid identifier {"instanceId":{"space":"s${'p'.repeat(43)}","externalId":"doc"}}: \`instanceId.space\` must match ^[a-zA-Z][a-zA-Z0-9_-]{0,41}[a-zA-Z0-9]?$, got "s${'p'.repeat(43)}".`,
  ],
  [
    'a node id with NUL',
    { instanceId: { space: 'sp', externalId: 'a\0b' } },
    'Invalid identifier {"instanceId":{"space":"sp","externalId":"a\\u0000b"}}: `instanceId.externalId` must be a string of 1 to 256 characters without NUL, got "a\\u0000b" (3 characters).',
  ],
  [
    'an extra key in instanceId',
    { instanceId: { space: 'sp', externalId: 'a', version: 1 } },
    'Invalid identifier {"instanceId":{"space":"sp","externalId":"a","version":1}}: unknown key `instanceId.version`; allowed: `space`, `externalId`.',
  ],
];

describe('identifiers', () => {
  test.each(INVALID)('%s is rejected with the rule and the value, and never sent', async (_, identifier, message) => {
    const loader = createFilesLoader(optionsFor(cdf()));
    const file = cdf().data.files[0]!;
    const [invalid, valid] = await Promise.allSettled([loader.load(identifier as never), loader.load({ id: file.id })]);

    expect(invalid.status).toBe('rejected');
    const error = (invalid as PromiseRejectedResult).reason as InvalidIdentifierError;
    expect(error).toBeInstanceOf(InvalidIdentifierError);
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe(message);
    expect(error.identifier).toBe(identifier);
    expect(valid).toEqual({ status: 'fulfilled', value: file });
    expect(byIdsRequests(cdf()).map((entry) => entry.items)).toEqual([[{ id: file.id }]]);
    expect(loader.stats()).toMatchObject({ loads: 2, invalid: 1 });
  });

  test('an over-long externalId is described by its length', () => {
    const long = 'x'.repeat(256);
    expect(() => identifierKey({ externalId: long }, ALL_KINDS)).toThrow(
      `\`externalId\` must be a string of 1 to 255 characters, got "${'x'.repeat(119)}… (256 characters).`,
    );
  });

  test('the limits themselves are valid: id 2^53-1, 255-character externalId, 256-character node id, 43-character space', () => {
    expect(identifierKey({ id: Number.MAX_SAFE_INTEGER }, ALL_KINDS)).toBe(Number.MAX_SAFE_INTEGER);
    expect(identifierKey({ externalId: 'e'.repeat(255) }, ALL_KINDS)).toBe(`e${'e'.repeat(255)}`);
    const instanceId = { space: `a${'b'.repeat(41)}c`, externalId: 'report-2024.v2/final.pdf'.padEnd(256, '-') };
    expect(identifierKey({ instanceId }, ALL_KINDS)).toBe(`n${instanceId.space}:${instanceId.externalId}`);
  });

  test('resources without instanceId reject it, naming what they accept', async () => {
    const { assets, events, sequences } = createCdfLoaders(optionsFor(cdf()));
    const instanceId = { space: 'sp', externalId: 'a' };
    const message = 'Invalid identifier {"instanceId":{"space":"sp","externalId":"a"}}: `instanceId` is not accepted here; allowed: `id`, `externalId`.';
    for (const loader of [assets, events, sequences]) {
      const error = await loader.load({ instanceId } as never).catch((reason: unknown) => reason);
      expect(error).toBeInstanceOf(InvalidIdentifierError);
      expect((error as Error).message).toBe(message);
    }
    expect(byIdsRequests(cdf())).toHaveLength(0);
  });

  test('canonical keys are equal exactly when the identifiers are', () => {
    const space = fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9_-]{0,41}[a-zA-Z0-9]?$/);
    const text = (max: number) => fc.string({ minLength: 1, maxLength: max, unit: fc.constantFrom('a', '1', ':', 'i', 'e', 'n', '\u00e9', '/', '-', '.') });
    const identifier = fc.oneof(
      fc.record({ id: fc.oneof(fc.integer({ min: 1, max: 100 }), fc.constant(Number.MAX_SAFE_INTEGER)) }),
      fc.record({ externalId: text(255) }),
      fc.record({ instanceId: fc.record({ space, externalId: text(256) }) }),
    );
    fc.assert(
      fc.property(identifier, identifier, (a, b) => {
        const same = JSON.stringify(a) === JSON.stringify(b);
        expect(identifierKey(a, ALL_KINDS) === identifierKey(b, ALL_KINDS)).toBe(same);
      }),
      { numRuns: 2000 },
    );
  });

  test.each(INVALID)('`parseIdentifier` refuses %s with the same error as `load`', (_, value, message) => {
    expect(() => parseIdentifier(value)).toThrow(new InvalidIdentifierError(message, value));
  });

  test('`parseIdentifier` returns a fresh typed identifier, and follows the kinds of a resource', () => {
    const input = { instanceId: { space: 'sp', externalId: 'doc-1' } };
    const parsed = parseIdentifier(input);
    expect(parsed).toEqual(input);
    expect(parsed).not.toBe(input);
    expect(parsed.instanceId).not.toBe(input.instanceId);
    expect(parseIdentifier({ id: 12 }, 'assets')).toEqual({ id: 12 });
    expect(parseIdentifier({ externalId: 'x' }, timeSeries)).toEqual({ externalId: 'x' });
    expect(() => parseIdentifier(input, 'events')).toThrow(
      new InvalidIdentifierError(
        'Invalid identifier {"instanceId":{"space":"sp","externalId":"doc-1"}}: `instanceId` is not accepted here; allowed: `id`, `externalId`.',
        input,
      ),
    );
    expect(() => parseIdentifier({ id: Number('12abc') })).toThrow(
      'Invalid identifier {"id":NaN}: `id` must be an integer from 1 to 9007199254740991, got NaN.',
    );
    expect(() => parseIdentifier({ id: 12n })).toThrow('Invalid identifier {"id":12n}: `id` must be an integer from 1 to 9007199254740991, got 12n.');
    expect(() => parseIdentifier({ id: 1 }, 'widgets' as never)).toThrow(
      new TypeError("`resource` must be one of 'files', 'timeseries', 'assets', 'events', 'sequences' or a `Resource`, got \"widgets\"."),
    );
  });
});
