import { generateData } from '@cdf-loader/mock-cdf';
import { describe, expect, test } from 'vitest';
import { createCdfLoaderPool, createFilesLoader } from '../src/index.js';
import { byIdsRequests, optionsFor, useMockCdf } from './support.js';

const COUNTS = { files: 300 };
const [setA, setB] = generateData({ counts: COUNTS }).dataSetIds;
const cdf = useMockCdf({ counts: COUNTS, tokens: { alice: { dataSetIds: [setA!] }, bob: { dataSetIds: [setB!] } } });

function fileOfSetA() {
  return cdf().data.files.find((file) => file.dataSetId === setA)!;
}

describe('tenancy', () => {
  test("a file token A may read is null for token B's loader", async () => {
    const file = fileOfSetA();
    const alice = createFilesLoader(optionsFor(cdf(), { getToken: () => 'alice' }));
    const bob = createFilesLoader(optionsFor(cdf(), { getToken: () => 'bob' }));

    expect(await alice.load({ id: file.id })).toEqual(file);
    expect(await bob.load({ id: file.id })).toBeNull();
  });

  test('the pool gives each principal its own loaders and cache', async () => {
    const file = fileOfSetA();
    const pool = createCdfLoaderPool({ baseUrl: cdf().url, project: cdf().project });
    const alice = pool.forPrincipal('user-alice', () => 'alice');
    const bob = pool.forPrincipal('user-bob', () => 'bob');

    expect(await alice.files.load({ id: file.id })).toEqual(file);
    expect(await bob.files.load({ id: file.id })).toBeNull();
    expect(await alice.files.load({ id: file.id })).toEqual(file); // alice's cache
    expect(pool.forPrincipal('user-alice', () => 'alice')).toBe(alice);
    expect(byIdsRequests(cdf()).map((entry) => [entry.token, entry.itemsReturned])).toEqual([
      ['alice', 1],
      ['bob', 0],
    ]);
  });

  test('the latest `getToken` given for a principal is the one asked after a 401', async () => {
    const pool = createCdfLoaderPool({ baseUrl: cdf().url, project: cdf().project });
    const file = fileOfSetA();
    const stale = pool.forPrincipal('user-alice', () => 'expired-token');
    await expect(stale.files.load({ id: file.id })).rejects.toMatchObject({ status: 401 });

    // The next request of that user brings a fresh token.
    const { files } = pool.forPrincipal('user-alice', () => 'alice');
    expect(files).toBe(stale.files);
    expect(await files.load({ id: file.id })).toEqual(file);
    expect(byIdsRequests(cdf()).map((entry) => [entry.token, entry.status])).toEqual([
      ['expired-token', 401],
      ['expired-token', 401],
      ['expired-token', 401],
      ['alice', 200],
    ]);
  });

  test('`forToken` keys by the token itself: the same token shares loaders, another never does', async () => {
    const pool = createCdfLoaderPool({ baseUrl: cdf().url, project: cdf().project });
    const file = fileOfSetA();
    const alice = pool.forToken('alice');
    expect(pool.forToken('alice')).toBe(alice);
    expect(await alice.files.load({ id: file.id })).toEqual(file);

    // A token that is not alice's never reaches alice's cache, whatever it claims to be.
    const forged = pool.forToken('forged-alice');
    expect(forged).not.toBe(alice);
    await expect(forged.files.load({ id: file.id })).rejects.toMatchObject({ status: 401 });
    expect(() => pool.forToken('')).toThrow(new TypeError('`token` must be a non-empty string, got an empty string.'));
  });

  test('`maxPrincipals` bounds the pool; the least recently used principal goes first', () => {
    const pool = createCdfLoaderPool({ baseUrl: cdf().url, project: cdf().project, maxPrincipals: 2 });
    const alice = pool.forPrincipal('alice', () => 'alice');
    pool.forPrincipal('bob', () => 'bob');
    pool.forPrincipal('alice', () => 'alice');
    pool.forPrincipal('carol', () => 'carol'); // bob goes
    expect(pool.size).toBe(2);
    expect(pool.forPrincipal('alice', () => 'alice')).toBe(alice);
    expect(pool.delete('carol')).toBe(true);
    expect(pool.size).toBe(1);
  });

  test('a principal key that is a token, or empty, is refused', () => {
    const pool = createCdfLoaderPool({ baseUrl: cdf().url, project: cdf().project });
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl';
    expect(() => pool.forPrincipal(jwt, () => jwt)).toThrow(
      new TypeError(
        "`principal` looks like a token (a JWT); key the pool by a stable id of the principal, such as the token's `sub` claim, never by the token itself.",
      ),
    );
    expect(() => pool.forPrincipal('', () => 't')).toThrow(new TypeError('`principal` must be a non-empty string, got "".'));
    expect(() => createCdfLoaderPool({ baseUrl: cdf().url, project: cdf().project, maxPrincipals: 0 })).toThrow(
      new TypeError('`maxPrincipals` must be an integer ≥ 1, got 0.'),
    );
    expect(() => createCdfLoaderPool({ baseUrl: 'nope', project: 'p' })).toThrow(TypeError);
    expect(() => createCdfLoaderPool({ baseUrl: cdf().url, project: cdf().project, maxBatchSize: 0 })).toThrow(
      new TypeError("`maxBatchSize` must be an integer from 1 to 1000 (CDF's limit), got 0."),
    );
  });
});
