import { performance } from 'node:perf_hooks';
import type { SharedCacheInvalidation, SharedCacheScope } from 'cdf-loader';
import { describe, expect, test } from 'vitest';
import { redisCache, redisConcurrency } from '../src/index.js';
import { connect, countingClient, privateRedisForTests, reconnected, until } from './support.js';

// These tests stop the server, so they run on one of their own even where REDIS_URL is set.
const server = await privateRedisForTests();

const alice: SharedCacheScope = { project: 'proj', resource: 'files', principal: 'alice' };
const file = { id: 1001, externalId: 'doc-a', name: 'a.pdf' };
const fileKeys = [1001, 'edoc-a'];
const signal = new AbortController().signal;

describe.skipIf(server === undefined)('when Redis fails', () => {
  const url = server?.url ?? '';

  test('a Redis that stops answering: each call fails within `timeoutMs`, and works again once it answers', async () => {
    const client = await connect(url);
    const cache = redisCache({ client, keyPrefix: 'hung:', timeoutMs: 100 });
    const budget = redisConcurrency({ client, key: 'hung', limit: 2, timeoutMs: 100 });
    await cache.setMany(alice, [{ item: file, keys: fileKeys }], []);
    (await budget.acquire(signal)).release();

    server!.pause();
    try {
      const calls = [() => cache.getMany(alice, [1001]), () => cache.setMany(alice, [], [5]), () => budget.acquire(signal)];
      for (const call of calls) {
        const started = performance.now();
        await expect(call()).rejects.toThrow(new Error('Redis did not answer within 100 ms (`timeoutMs`).'));
        expect(performance.now() - started).toBeGreaterThanOrEqual(99);
        expect(performance.now() - started).toBeLessThan(500);
      }
    } finally {
      server!.resume();
    }

    expect(await cache.getMany(alice, [1001])).toEqual([file]);
    (await budget.acquire(signal)).release();
  });

  test('a Redis that is gone: calls fail at once; back on the same port, everything works again', async () => {
    const [first, second, subscriber] = [await connect(url), await connect(url), await connect(url)];
    const counted = countingClient(first);
    const a = redisCache({ client: counted.client, keyPrefix: 'gone:' });
    const b = redisCache({ client: second, keyPrefix: 'gone:', subscriber });
    const budget = redisConcurrency({ client: first, key: 'gone', limit: 2 });
    const heard: SharedCacheInvalidation[] = [];
    b.subscribe((invalidation) => heard.push(invalidation));
    await b.listening();

    await server!.kill();
    await until(() => !first.isReady && !second.isReady && !subscriber.isReady);
    const calls = [() => a.getMany(alice, [1001]), () => a.setMany(alice, [{ item: file, keys: fileKeys }], []), () => budget.acquire(signal)];
    for (const call of calls) {
      await expect(call()).rejects.toThrow(
        new Error('Redis is not reachable: the client is not connected (it is closed or reconnecting).'),
      );
    }

    await server!.restart();
    await Promise.all([reconnected(first), reconnected(second), reconnected(subscriber)]);
    counted.commands.length = 0;
    await a.setMany(alice, [{ item: file, keys: fileKeys }], []);
    // The new server does not know the script: one EVALSHA, refused, then the EVAL that teaches it.
    expect(counted.commands).toEqual(['EVALSHA', 'EVAL']);
    expect(await b.getMany(alice, fileKeys)).toEqual([file, file]);
    // node-redis subscribed again before it was ready: invalidations arrive again.
    await a.delete(alice, [1001]);
    await until(() => heard.length === 1);
    expect(heard).toEqual([{ scope: alice, keys: [1001], origin: a.id }]);
    (await budget.acquire(signal)).release();
  });
});
