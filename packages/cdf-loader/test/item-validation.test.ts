import { describe, expect, test } from 'vitest';
import { createFilesLoader, type FileInfo } from '../src/index.js';
import { byIdsRequests, optionsFor, useMockCdf } from './support.js';

const cdf = useMockCdf({ counts: { files: 20 } });

/** An item as CDF would send it, but for the fields given. */
function item(fields: Record<string, unknown>): FileInfo {
  const { externalId: _, instanceId: __, ...rest } = cdf().data.files[0]!;
  return { ...rest, ...fields } as unknown as FileInfo;
}

describe('items are checked with the identifier rules', () => {
  test('an answer whose instance space holds a separator answers no key, and is not cached', async () => {
    const lying = item({ id: 8, instanceId: { space: 'a:b', externalId: 'c' } });
    cdf().addFault({ request: 1, status: 200, body: { items: [lying] } });
    const loader = createFilesLoader(optionsFor(cdf()));

    expect(await loader.load({ instanceId: { space: 'a', externalId: 'b:c' } })).toBeNull();
    expect(await loader.load({ id: 8 })).toEqual(cdf().data.files.find((file) => file.id === 8) ?? null);
    expect(byIdsRequests(cdf())).toHaveLength(2);
  });

  test.each([
    [
      'an instance space with a separator',
      { id: 8, instanceId: { space: 'x:y', externalId: 'z' } },
      '`prime` needs an item CDF could have sent: `instanceId.space` must match ^[a-zA-Z][a-zA-Z0-9_-]{0,41}[a-zA-Z0-9]?$, got "x:y".',
    ],
    ['a string id', { id: '7', externalId: 'p-a' }, '`prime` needs an item CDF could have sent: `id` must be an integer from 1 to 9007199254740991, got "7".'],
    ['no id', { id: undefined, externalId: 'p-b' }, '`prime` needs an item CDF could have sent: `id` must be an integer from 1 to 9007199254740991, got undefined.'],
    [
      'an empty externalId',
      { id: 9, externalId: '' },
      '`prime` needs an item CDF could have sent: `externalId` must be a string of 1 to 255 characters, got "" (0 characters).',
    ],
  ])('`prime` of an item with %s throws a TypeError that says why, and serves nothing', async (_, fields, message) => {
    const loader = createFilesLoader(optionsFor(cdf()));
    expect(() => loader.prime(item(fields))).toThrow(new TypeError(message));
    expect(await loader.load({ instanceId: { space: 'x', externalId: 'y:z' } })).toBeNull();
    expect(await loader.load({ externalId: 'p-a' })).toBeNull();
    expect(await loader.load({ externalId: 'p-b' })).toBeNull();
  });

  test('a valid item in the same answer as an invalid one is still served and cached', async () => {
    const [good] = cdf().data.files;
    cdf().addFault({ request: 1, status: 200, body: { items: [item({ id: 3, externalId: 'x'.repeat(256) }), good] } });
    const loader = createFilesLoader(optionsFor(cdf()));
    expect(await loader.loadMany([{ id: 3 }, { id: good!.id }])).toEqual([null, good]);
    expect(await loader.load({ id: good!.id })).toEqual(good);
    expect(byIdsRequests(cdf())).toHaveLength(1);
  });
});
