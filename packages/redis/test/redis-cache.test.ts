import type { SharedCacheInvalidation, SharedCacheScope } from 'cdf-loader';
import { describe, expect, test } from 'vitest';
import { redisCache, type RedisCache, type RedisCacheOptions } from '../src/index.js';
import { connect, countingClient, redisForTests, uniqueName, type TestClient } from './support.js';

const redis = await redisForTests();

const alice: SharedCacheScope = { project: 'proj', resource: 'files', principal: 'alice' };
const file = { id: 1001, externalId: 'doc-a', instanceId: { space: 'sp', externalId: 'doc-a' }, name: 'a.pdf' };
const fileKeys = [1001, 'edoc-a', 'nsp:doc-a'];

describe.skipIf(redis === undefined)('redisCache', () => {
  const url = redis?.url ?? '';

  /** Two replicas on clients of their own, with a key prefix no other test uses. */
  async function replicas(options: Partial<RedisCacheOptions> = {}) {
    const keyPrefix = `${uniqueName()}:`;
    const [first, second] = [countingClient(await connect(url)), countingClient(await connect(url))];
    const a = redisCache({ ...options, client: first.client, keyPrefix });
    const b = redisCache({ ...options, client: second.client, keyPrefix });
    // Redis learns each script on its first EVAL; from then on every call is one EVALSHA.
    const warmUp = redisCache({ client: first.client, keyPrefix: `${uniqueName()}:` });
    await Promise.all([warmUp.setMany(alice, [], [1]), warmUp.getMany(alice, [1]), warmUp.delete(alice, [1]), warmUp.clear(alice)]);
    first.commands.length = 0;
    return { a, b, keyPrefix, commandsOfA: first.commands, commandsOfB: second.commands, redis: await connect(url) };
  }

  test('an item one instance stores is read by another, under each of its keys, in one round trip', async () => {
    const { a, b, commandsOfB } = await replicas();
    await a.setMany(alice, [{ item: file, keys: fileKeys }], [9999]);

    const found = await b.getMany(alice, [...fileKeys, 9999, 4242]);

    expect(found).toEqual([file, file, file, null, undefined]);
    expect(found[1]).toBe(found[0]);
    expect(commandsOfB).toEqual(['EVALSHA']);
  });

  test('stores an item once under its id, its other keys as pointers to it, each with its TTL', async () => {
    const { a, keyPrefix, redis: raw } = await replicas({ ttlMs: 60_000, notFoundTtlMs: 2_000 });
    await a.setMany(alice, [{ item: file, keys: fileKeys }], [9999]);

    const base = `${keyPrefix}{proj:files:alice}:0:`;
    expect(await raw.get(`${base}1001`)).toBe(`["1001","edoc-a","nsp:doc-a"]\n${JSON.stringify(file)}`);
    expect(await raw.get(`${base}edoc-a`)).toBe('>1001');
    expect(await raw.get(`${base}nsp:doc-a`)).toBe('>1001');
    expect(await raw.get(`${base}9999`)).toBe('!');
    for (const key of fileKeys) expectTtl(await raw.pTTL(`${base}${key}`), 60_000);
    expectTtl(await raw.pTTL(`${base}9999`), 2_000);
    expect(await raw.keys(`${keyPrefix}*`)).toHaveLength(4);
  });

  test('with `notFoundTtlMs: 0`, "not found" is not stored (the write only ends its claims), and a write of nothing makes no call', async () => {
    const { a, keyPrefix, commandsOfA, redis: raw } = await replicas({ notFoundTtlMs: 0 });
    await a.setMany(alice, [], []);
    await a.setMany(alice, [], [9999]);
    await a.setMany(alice, [{ item: file, keys: fileKeys }], [9999]);

    expect(commandsOfA.filter((command) => command === 'EVALSHA')).toHaveLength(2);
    expect(await raw.keys(`${keyPrefix}*`)).toHaveLength(3);
    expect(await a.getMany(alice, [9999])).toEqual([undefined]);
  });

  test('an item whose TTL ran out in Redis is a miss under every key, as is an expired "not found"', async () => {
    const { a, b, keyPrefix, redis: raw } = await replicas();
    await a.setMany(alice, [{ item: file, keys: fileKeys }], [9999]);

    const base = `${keyPrefix}{proj:files:alice}:0:`;
    // A time in the past: Redis expires the key now, as it would when its TTL runs out.
    await raw.pExpireAt(`${base}1001`, 1);
    await raw.pExpireAt(`${base}9999`, 1);

    expect(await b.getMany(alice, [...fileKeys, 9999])).toEqual([undefined, undefined, undefined, undefined]);
  });

  test('a key an item no longer carries is a miss; a key that moved to another item finds that one', async () => {
    const { a, b } = await replicas();
    await a.setMany(alice, [{ item: file, keys: fileKeys }], []);
    const renamed = { ...file, externalId: 'doc-b' };
    await a.setMany(alice, [{ item: renamed, keys: [1001, 'edoc-b', 'nsp:doc-a'] }], []);

    expect(await b.getMany(alice, [1001, 'edoc-a', 'edoc-b'])).toEqual([renamed, undefined, renamed]);

    const other = { id: 2002, externalId: 'doc-a' };
    await a.setMany(alice, [{ item: other, keys: [2002, 'edoc-a'] }], []);
    expect(await b.getMany(alice, ['edoc-a', 1001])).toEqual([other, renamed]);
  });

  test('a claim is held by one instance (until its TTL, PX in Redis, renewed when it claims again); an answer already stored is not claimed', async () => {
    const { a, b, keyPrefix, redis: raw } = await replicas();
    expect(await a.claim(alice, [1001, 'edoc-a', 2002], 1_000)).toEqual([true, true, true]);
    expect(await b.claim(alice, [1001, 2002, 3003], 60_000)).toEqual([false, false, true]);
    expect(await a.claim(alice, [1001], 60_000)).toEqual([true]);
    const [claimKey] = await raw.keys(`${keyPrefix}*claim:1001`);
    expect(await raw.pTTL(claimKey!)).toBeGreaterThan(59_000);
    await a.setMany(alice, [{ item: file, keys: fileKeys }], [2002]);
    // Answered now: to be read, not fetched again.
    expect(await b.claim(alice, [1001, 'edoc-a', 2002], 60_000)).toEqual([false, false, false]);
    expect(await a.claim({ ...alice, principal: 'bob' }, [1001], 60_000)).toEqual([true]);
  });

  test('a write-back ends the claims of what it answers, stored or not', async () => {
    const { a, b } = await replicas({ notFoundTtlMs: 0 });
    expect(await a.claim(alice, [7007], 60_000)).toEqual([true]);
    expect(await b.claim(alice, [7007], 60_000)).toEqual([false]);
    await a.setMany(alice, [], [7007]);
    expect(await b.claim(alice, [7007], 60_000)).toEqual([true]);
  });

  test('principals, resources and projects never share entries, whatever characters they hold', async () => {
    const { a, b, keyPrefix, redis: raw } = await replicas();
    const scopes: SharedCacheScope[] = [
      alice,
      { ...alice, principal: 'bob' },
      { ...alice, resource: 'assets' },
      { ...alice, project: 'other' },
      // Joined with `:` as they are, these two would name the same keys.
      { project: 'p', resource: 'files', principal: 'a:b' },
      { project: 'p', resource: 'files:a', principal: 'b' },
      { project: 'p}{x', resource: 'files', principal: '%3A' },
    ];
    for (const [index, scope] of scopes.entries()) {
      await a.setMany(scope, [{ item: { id: 1, owner: index }, keys: [1] }], []);
    }

    for (const [index, scope] of scopes.entries()) {
      expect(await b.getMany(scope, [1])).toEqual([{ id: 1, owner: index }]);
    }
    expect((await raw.keys(`${keyPrefix}*`)).sort()).toEqual(
      [
        '{proj:files:alice}:0:1',
        '{proj:files:bob}:0:1',
        '{proj:assets:alice}:0:1',
        '{other:files:alice}:0:1',
        '{p:files:a%3Ab}:0:1',
        '{p:files%3Aa:b}:0:1',
        '{p%7D%7Bx:files:%253A}:0:1',
      ]
        .map((key) => keyPrefix + key)
        .sort(),
    );
  });

  test('delete, by any key of an item, removes it under all its keys and tells the other instance, not itself', async () => {
    const { a, b, commandsOfA } = await replicas();
    const heardByA = listen(a);
    const heardByB = listen(b);
    await Promise.all([a.listening(), b.listening()]);
    const bob = { ...alice, principal: 'bob' };
    await a.setMany(alice, [{ item: file, keys: fileKeys }, { item: { id: 7 }, keys: [7] }], []);
    commandsOfA.length = 0;

    await a.delete(alice, ['edoc-a']);

    expect(commandsOfA).toEqual(['EVALSHA']);
    expect(await b.getMany(alice, [...fileKeys, 7])).toEqual([undefined, undefined, undefined, { id: 7 }]);
    expect(await heardByB.next()).toEqual({ scope: alice, keys: ['edoc-a'], origin: a.id });

    // Each subscriber hears the channel in publish order: once A hears B's clear, it has heard (and
    // dropped) its own delete; once B hears A's second delete, it has dropped its own clear.
    await b.clear(bob);
    expect(await heardByA.next()).toEqual({ scope: bob, keys: 'all', origin: b.id });
    await a.delete(alice, [7]);
    expect(await heardByB.next()).toEqual({ scope: alice, keys: [7], origin: a.id });
    expect(heardByA.all).toHaveLength(1);
    expect(heardByB.all).toHaveLength(2);
  });

  test('clear makes every entry of the scope unreachable in one call, and other scopes keep theirs', async () => {
    const { a, b, keyPrefix, commandsOfA, redis: raw } = await replicas();
    const bob = { ...alice, principal: 'bob' };
    await a.setMany(alice, [{ item: file, keys: fileKeys }], [9999]);
    await a.setMany(bob, [{ item: file, keys: fileKeys }], []);
    commandsOfA.length = 0;

    await a.clear(alice);

    expect(commandsOfA).toEqual(['EVALSHA']);
    expect(await b.getMany(alice, [...fileKeys, 9999])).toEqual([undefined, undefined, undefined, undefined]);
    expect(await b.getMany(bob, fileKeys)).toEqual([file, file, file]);
    // Entries written after the clear are found again, under the new generation.
    await b.setMany(alice, [{ item: file, keys: fileKeys }], []);
    expect(await a.getMany(alice, [1001])).toEqual([file]);
    const generation = await raw.get(`${keyPrefix}{proj:files:alice}:generation`);
    expect(generation).toMatch(/^\d{16}$/);
    expect(await raw.exists(`${keyPrefix}{proj:files:alice}:${generation}:1001`)).toBe(1);
  });

  test('messages on the channel that are not invalidations are ignored', async () => {
    const { a, b, keyPrefix, redis: raw } = await replicas();
    const heard = listen(a);
    await a.listening();
    await raw.publish(`${keyPrefix}invalidations`, 'not json');
    await raw.publish(`${keyPrefix}invalidations`, JSON.stringify({ origin: 'x', scope: alice, keys: [{ id: 1 }] }));
    await raw.publish(`${keyPrefix}invalidations`, JSON.stringify({ origin: 'x', scope: { project: 'p' }, keys: 'all' }));
    await b.clear(alice);

    expect(await heard.next()).toEqual({ scope: alice, keys: 'all', origin: b.id });
    expect(heard.all).toHaveLength(1);
  });

  test('a listener that unsubscribed hears nothing more; close() leaves a given subscriber open and unsubscribed', async () => {
    const { b, keyPrefix, redis: raw } = await replicas();
    const subscriber = await connect(url);
    const a = redisCache({ client: await connect(url), keyPrefix, subscriber });
    const stays = listen(a);
    const leaves: SharedCacheInvalidation[] = [];
    const unsubscribe = a.subscribe((invalidation) => leaves.push(invalidation));
    await a.listening();
    unsubscribe();

    await b.clear(alice);
    await stays.next();
    expect(leaves).toEqual([]);

    await a.close();
    expect(subscriber.isOpen).toBe(true);
    expect(await raw.pubSubNumSub(`${keyPrefix}invalidations`)).toEqual({ [`${keyPrefix}invalidations`]: 0 });
  });

  test('options are checked, naming the option and the value', async () => {
    const client = await connect(url);
    expect(() => redisCache({ client, ttlMs: 0 })).toThrow(
      new TypeError('`ttlMs` must be an integer of milliseconds from 1 to 2147483647 (what a timer holds), got 0.'),
    );
    expect(() => redisCache({ client, notFoundTtlMs: -1 })).toThrow(
      new TypeError('`notFoundTtlMs` must be an integer of milliseconds from 0 to 2147483647 (what a timer holds), got -1.'),
    );
    expect(() => redisCache({ client, timeoutMs: 2.5 })).toThrow(
      new TypeError('`timeoutMs` must be an integer of milliseconds from 1 to 2147483647 (what a timer holds), got 2.5.'),
    );
    expect(() => redisCache({ client, keyPrefix: 'app{1}:' })).toThrow(
      new TypeError('`keyPrefix` must be a non-empty string without `{` or `}`, got "app{1}:".'),
    );
    expect(() => redisCache({ client: 'redis://localhost' as unknown as TestClient })).toThrow(
      new TypeError('`client` must be a node-redis client (from `createClient()`) or cluster (from `createCluster()`), got "redis://localhost".'),
    );
  });
});

/** The invalidations a cache hears, and the next one it will. */
function listen(cache: RedisCache) {
  const all: SharedCacheInvalidation[] = [];
  let waiting: ((invalidation: SharedCacheInvalidation) => void) | undefined;
  let read = 0;
  cache.subscribe((invalidation) => {
    all.push(invalidation);
    waiting?.(all[read++]!);
    waiting = undefined;
  });
  return {
    all,
    next: (): Promise<SharedCacheInvalidation> =>
      read < all.length ? Promise.resolve(all[read++]!) : new Promise((resolve) => (waiting = resolve)),
  };
}

/** A TTL just set to `ttlMs`: at most that, and not much less (the time the test took since). */
function expectTtl(pttl: number, ttlMs: number): void {
  expect(pttl).toBeLessThanOrEqual(ttlMs);
  expect(pttl).toBeGreaterThan(ttlMs - 1_000);
}
