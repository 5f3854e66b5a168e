import type { SharedCacheScope } from 'cdf-loader';
import { describe, expect, test } from 'vitest';
import { redisCache, redisConcurrency, redisRate } from '../src/index.js';
import { connect, connectCluster, privateClusterForTests, uniqueName } from './support.js';

// What only a Redis Cluster shows: where the keys land, and what `client` accepts. The behaviours
// that matter on both (sharing, budget, claims, invalidations, an outage) run on a cluster in
// their own files (replicas, claim-wake, replica-outage).
const cluster = await privateClusterForTests();

const alice: SharedCacheScope = { project: 'proj', resource: 'files', principal: 'alice' };
const bob: SharedCacheScope = { project: 'proj', resource: 'files', principal: 'bob' };
const file = { id: 1001, externalId: 'doc-a', instanceId: { space: 'sp', externalId: 'doc-a' }, name: 'a.pdf' };
const fileKeys = [1001, 'edoc-a', 'nsp:doc-a'];

describe.skipIf(cluster === undefined)('a 3-master Redis Cluster', () => {
  test('every key a scope’s scripts write lives in the slot of the scope’s hash tag, on one master', async () => {
    const keyPrefix = `${uniqueName()}:`;
    const [a, b] = [redisCache({ client: await connectCluster(cluster!), keyPrefix }), redisCache({ client: await connectCluster(cluster!), keyPrefix })];
    for (const scope of [alice, bob]) {
      // Entries, pointers and "not found"; stale copies; claims and the sets of their waiters.
      await a.setMany(scope, [{ item: file, keys: fileKeys }], [9999], { staleIfErrorMs: 30_000 });
      expect(await a.lookUpAndClaim(scope, [...fileKeys, 9999, 7], 10_000)).toEqual([file, file, file, null, true]);
      expect(await b.lookUpAndClaim(scope, [7], 10_000)).toEqual([false]);
      expect(await b.getStale(scope, [1001])).toEqual([file]);
      // A new generation, then entries under it; a delete.
      await a.clear(scope);
      await a.setMany(scope, [{ item: file, keys: fileKeys }], []);
      await b.delete(scope, ['edoc-a']);
    }

    const masters = await Promise.all(cluster!.ports.map((port) => connect(`redis://127.0.0.1:${port}`)));
    const keysByMaster = await Promise.all(masters.map((master) => master.keys(`${keyPrefix}*`)));
    for (const scope of [alice, bob]) {
      const tag = `{${scope.project}:${scope.resource}:${scope.principal}}`;
      const slot = await masters[0]!.clusterKeySlot(tag);
      const holders = keysByMaster.map((keys) => keys.filter((key) => key.includes(tag)));
      // Generation, stale copies, claim, waiter set, the entries of generation 0 and of the new one.
      expect(holders.flat().length).toBeGreaterThanOrEqual(10);
      expect(holders.filter((keys) => keys.length > 0)).toHaveLength(1);
      for (const key of holders.flat()) expect(await masters[0]!.clusterKeySlot(key)).toBe(slot);
    }
    expect(keysByMaster.flat().every((key) => key.includes('{proj:files:alice}') || key.includes('{proj:files:bob}'))).toBe(true);
    await Promise.all([a.close(), b.close()]);
  });

  test('redisRate shares one rate across cluster clients, both its keys on one master', async () => {
    const key = uniqueName();
    const signal = new AbortController().signal;
    const [a, b] = [redisRate({ client: await connectCluster(cluster!), key, perSecond: 1 }), redisRate({ client: await connectCluster(cluster!), key, perSecond: 1 })];
    expect(await a.reserve(signal)).toBe(0);
    // The fleet's next turn, a second after the first, less the time the call took.
    const second = await b.reserve(signal);
    expect(second).toBeGreaterThan(0);
    expect(second).toBeLessThanOrEqual(1000);
    expect(b.replicas).toBe(2);

    const masters = await Promise.all(cluster!.ports.map((port) => connect(`redis://127.0.0.1:${port}`)));
    const holders = (await Promise.all(masters.map((master) => master.keys(`{${key}}*`)))).filter((keys) => keys.length > 0);
    expect(holders).toHaveLength(1);
    expect(holders[0]!.sort()).toEqual([`{${key}}:replicas`, `{${key}}:turn`]);
  });

  test('a `client` that is neither a node-redis client nor a cluster is refused, naming the option and the value', async () => {
    const url = `redis://127.0.0.1:${cluster!.ports[0]}`;
    const plain = { sendCommand: () => Promise.resolve(null), on: () => undefined };
    for (const [client, shown] of [[url, JSON.stringify(url)], [plain, '[object Object]'], [undefined, 'undefined']] as const) {
      const error = new TypeError(`\`client\` must be a node-redis client (from \`createClient()\`) or cluster (from \`createCluster()\`), got ${shown}.`);
      expect(() => redisCache({ client: client as never })).toThrow(error);
      expect(() => redisConcurrency({ client: client as never, limit: 2 })).toThrow(error);
      expect(() => redisRate({ client: client as never, perSecond: 10 })).toThrow(error);
    }
    const client = await connectCluster(cluster!);
    const subscriber = new TypeError('`subscriber` must be a node-redis client (from `createClient()`) or cluster (from `createCluster()`), got 42.');
    expect(() => redisCache({ client, subscriber: 42 as never })).toThrow(subscriber);
  });
});
