import type { SharedCacheScope } from 'cdf-loader';
import { describe, expect, test } from 'vitest';
import { redisCache, redisConcurrency } from '../src/index.js';
import { connect, redisForTests, uniqueName } from './support.js';

const redis = await redisForTests();

const scope: SharedCacheScope = { project: 'proj', resource: 'files', principal: 'alice' };
const signal = new AbortController().signal;

/** Keeps this process's event loop busy for `ms`, as a long synchronous task or a starved CPU would. */
function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

// `timeoutMs` is for a Redis that does not answer. A replica whose event loop was busy longer than
// that (a large JSON answer, a GC pause, more processes than cores) has kept Redis waiting, not
// the other way round: its calls must still be sent and their answers read.
describe.skipIf(redis === undefined)('a busy process is not a slow Redis', () => {
  const url = redis?.url ?? '';

  test('a read made just before the event loop is held up past `timeoutMs` gets its answer', async () => {
    const cache = redisCache({ client: await connect(url), keyPrefix: `${uniqueName()}:`, timeoutMs: 100 });
    await cache.setMany(scope, [{ item: { id: 1 }, keys: [1] }], []);

    const reading = cache.getMany(scope, [1, 2]);
    busy(300);
    await expect(reading).resolves.toEqual([{ id: 1 }, undefined]);
  });

  test('a release made just before the event loop is held up past `timeoutMs` still frees the slot', async () => {
    const budget = redisConcurrency({ client: await connect(url), key: uniqueName(), limit: 1, timeoutMs: 100, leaseMs: 5_000 });
    const slot = await budget.acquire(signal);

    slot.release();
    busy(300);
    const startedAt = performance.now();
    (await budget.acquire(signal)).release();
    // A release lost on the way would keep the slot until its lease ran out, 5 s later.
    expect(performance.now() - startedAt).toBeLessThan(1_000);
  });
});
