import { describe, expect, test } from 'vitest';
import { redisConcurrency } from '../src/index.js';
import { connect, countingClient, redisForTests, uniqueName, until } from './support.js';

const redis = await redisForTests();
const signal = new AbortController().signal;

describe.skipIf(redis === undefined)('redisConcurrency hands a released slot to a waiter of its own process', () => {
  test('without a round trip, up to 4 times in a row; then the lease goes back to Redis for the other replicas', async () => {
    const key = uniqueName();
    const raw = await connect(redis!.url);
    const here = countingClient(await connect(redis!.url));
    const budget = redisConcurrency({ client: here.client, key, limit: 1 });
    const other = redisConcurrency({ client: await connect(redis!.url), key, limit: 1 });

    let slot = await budget.acquire(signal);
    const [lease] = await raw.zRange(key, 0, -1);
    // Five more acquirers of this process, and one of another replica, all waiting for the one slot.
    const order: string[] = [];
    const local = Array.from({ length: 5 }, (_, index) => budget.acquire(signal).then((next) => (order.push(`here ${index}`), next)));
    const remote = other.acquire(signal).then((next) => (order.push('other'), next));
    await until(() => here.answered === here.commands.length && here.commands.length >= 6, 'every acquirer’s first attempt');

    for (let handoff = 0; handoff < 4; handoff++) {
      const sent = here.commands.length;
      slot.release();
      slot = await local[handoff]!;
      // The same lease, handed over: no release, no acquire.
      expect(here.commands.length).toBe(sent);
      expect(await raw.zRange(key, 0, -1)).toEqual([lease]);
    }
    // The fifth release goes to Redis, though one more waiter of this process waits: the other
    // replica's waiter, woken by it, may take its turn.
    const sent = here.commands.length;
    slot.release();
    expect(here.commands.slice(sent)).toEqual(['EVALSHA']);
    await Promise.all([remote, local[4]!].map(async (next) => (await next).release()));
    expect(order.slice(0, 4)).toEqual(['here 0', 'here 1', 'here 2', 'here 3']);
    expect(order.slice(4).sort()).toEqual(['here 4', 'other']);
    await until(async () => (await raw.zCard(key)) === 0, 'every lease given back');
  });
});
