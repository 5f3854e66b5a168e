import { describe, expect, test } from 'vitest';
import { redisConcurrency, type RedisConcurrencyOptions } from '../src/index.js';
import { connect, countingClient, redisForTests, uniqueName, until, type TestClient } from './support.js';

const redis = await redisForTests();

describe.skipIf(redis === undefined)('redisConcurrency', () => {
  const url = redis?.url ?? '';

  /** Budgets over one key, each on a client of its own, counting its round trips. */
  async function replicas(count: number, options: Omit<RedisConcurrencyOptions, 'client'>) {
    return Promise.all(
      Array.from({ length: count }, async () => {
        const client = await connect(url);
        const counted = countingClient(client);
        return { budget: redisConcurrency({ ...options, client: counted.client }), counted, client };
      }),
    );
  }

  test('50 acquirers over 3 replicas never hold more than the limit together, and every one gets a slot', async () => {
    const key = uniqueName();
    const budgets = await replicas(3, { key, limit: 4 });
    const raw = await connect(url);
    let held = 0;
    let mostHeld = 0;
    let mostLeases = 0;
    let served = 0;

    await Promise.all(
      Array.from({ length: 50 }, async (_, index) => {
        const slot = await budgets[index % 3]!.budget.acquire(new AbortController().signal);
        mostHeld = Math.max(mostHeld, ++held);
        // Hold it over a round trip to Redis, as a request holds it over one to CDF.
        const leases = await raw.zCard(key);
        mostLeases = Math.max(mostLeases, leases);
        held--;
        served++;
        slot.release();
      }),
    );

    expect(served).toBe(50);
    expect(mostHeld).toBe(4);
    expect(mostLeases).toBeLessThanOrEqual(4);
    // A release is sent as `release()` is called: a later command on the same client follows it.
    await Promise.all(budgets.map(({ client }) => client.ping()));
    expect(await raw.zCard(key)).toBe(0);
    // Every call is one EVALSHA (an EVAL follows where Redis did not know the script yet); less the
    // 50 releases, these are the tries: each acquirer's first, then about one per replica per
    // release heard. Waiters that polled would make thousands.
    const calls = budgets.flatMap(({ counted }) => counted.commands).filter((command) => command === 'EVALSHA');
    const attempts = calls.length - 50;
    expect(attempts).toBeLessThan(50 * 4);
  });

  test('a release on one replica wakes a waiter on another at once, not at the lease expiry', async () => {
    const key = uniqueName();
    const [holder, waiter] = await replicas(2, { key, limit: 1, leaseMs: 60_000 });
    const slot = await holder!.budget.acquire(new AbortController().signal);
    let acquired = false;
    const waiting = waiter!.budget.acquire(new AbortController().signal).then((next) => {
      acquired = true;
      return next;
    });
    await until(() => waiter!.counted.answered === 1);
    expect(acquired).toBe(false);

    slot.release();
    const next = await waiting;

    // One attempt that found no room, one after the release was heard: no polling in between.
    expect(waiter!.counted.commands).toEqual(['EVALSHA', 'EVALSHA']);
    next.release();
  });

  test('a replica that dies holding a slot gives it back when its lease expires; the waiter wakes then', async () => {
    const key = uniqueName();
    const dying = await connect(url);
    const dyingBudget = redisConcurrency({ client: dying, key, limit: 1, leaseMs: 300 });
    await dyingBudget.acquire(new AbortController().signal);
    // A crash: no release, no more renewals.
    dying.destroy();
    await dyingBudget.close();
    const raw = await connect(url);
    const [lost] = await raw.zRangeWithScores(key, 0, 0);
    const [waiter] = await replicas(1, { key, limit: 1, leaseMs: 300 });

    const slot = await waiter!.budget.acquire(new AbortController().signal);

    // Its lease was granted (at its expiry time less leaseMs) once the lost lease had expired.
    const [lease] = await raw.zRangeWithScores(key, 0, 0);
    expect(lease!.score - 300).toBeGreaterThanOrEqual(lost!.score);
    // It tried once, slept until the lease would expire, and tried again (once more at most, if a
    // timer fired a millisecond before Redis's clock reached the expiry).
    expect(waiter!.counted.commands.length).toBeGreaterThanOrEqual(2);
    expect(waiter!.counted.commands.length).toBeLessThanOrEqual(3);
    slot.release();
  });

  test('a held slot is renewed every `leaseMs / 3` and outlives `leaseMs` until it is released', async () => {
    const key = uniqueName();
    const [holder, waiter] = await replicas(2, { key, limit: 1, leaseMs: 150 });
    const raw = await connect(url);
    const slot = await holder!.budget.acquire(new AbortController().signal);
    const [first] = await raw.zRangeWithScores(key, 0, 0);
    let acquired = false;
    const waiting = waiter!.budget.acquire(new AbortController().signal).then((next) => {
      acquired = true;
      return next;
    });

    // Four renewals, 50 ms apart: past the first lease's expiry.
    await until(() => holder!.counted.answered === 5);
    const [renewed] = await raw.zRangeWithScores(key, 0, 0);
    expect(renewed!.value).toBe(first!.value);
    expect(renewed!.score - first!.score).toBeGreaterThanOrEqual(150);
    expect(acquired).toBe(false);

    slot.release();
    (await waiting).release();
  });

  test.each([
    ['as the attempt that takes the free slot is sent', (abort: () => void) => abort()],
    ['while that attempt is on its way to Redis', (abort: () => void) => queueMicrotask(abort)],
  ])('an abort %s rejects with the signal’s reason and gives the lease back', async (_, abortWhen) => {
    const key = uniqueName();
    const reason = new Error('request cancelled');
    const [other] = await replicas(1, { key, limit: 1, leaseMs: 60_000 });
    const controller = new AbortController();
    const aborting = countingClient(await connect(url), (command) => {
      if (command.startsWith('EVAL')) abortWhen(() => controller.abort(reason));
    });
    const budget = redisConcurrency({ client: aborting.client, key, limit: 1, leaseMs: 60_000 });

    await expect(budget.acquire(controller.signal)).rejects.toBe(reason);
    // The lease would last a minute: the other replica gets the slot because it was given back.
    (await other!.budget.acquire(new AbortController().signal)).release();
    expect(aborting.commands).toEqual(['EVALSHA', 'EVALSHA']);
  });

  test('an acquire with a signal aborted already rejects without asking Redis', async () => {
    const counted = countingClient(await connect(url));
    const reason = new Error('too late');
    await expect(redisConcurrency({ client: counted.client, limit: 1 }).acquire(AbortSignal.abort(reason))).rejects.toBe(reason);
    expect(counted.commands).toEqual([]);
  });

  test('an abort while waiting rejects at once and takes nothing', async () => {
    const key = uniqueName();
    const [holder, waiter] = await replicas(2, { key, limit: 1, leaseMs: 60_000 });
    const slot = await holder!.budget.acquire(new AbortController().signal);
    const controller = new AbortController();
    const waiting = waiter!.budget.acquire(controller.signal);
    await until(() => waiter!.counted.answered === 1);

    controller.abort(new Error('gone'));
    await expect(waiting).rejects.toThrow('gone');
    slot.release();
    (await holder!.budget.acquire(new AbortController().signal)).release();
    expect(waiter!.counted.commands).toEqual(['EVALSHA']);
  });

  test('options are checked, naming the option and the value', async () => {
    const client: TestClient = await connect(url);
    expect(() => redisConcurrency({ client, limit: 0 })).toThrow(new TypeError('`limit` must be an integer ≥ 1, got 0.'));
    expect(() => redisConcurrency({ client, limit: 2.5 })).toThrow(new TypeError('`limit` must be an integer ≥ 1, got 2.5.'));
    expect(() => redisConcurrency({ client, limit: 4, leaseMs: 2 ** 31 })).toThrow(
      new TypeError('`leaseMs` must be an integer of milliseconds from 1 to 2147483647 (what a timer holds), got 2147483648.'),
    );
    expect(() => redisConcurrency({ client, limit: 4, timeoutMs: Number.NaN })).toThrow(
      new TypeError('`timeoutMs` must be an integer of milliseconds from 1 to 2147483647 (what a timer holds), got NaN.'),
    );
    expect(() => redisConcurrency({ client, limit: 4, key: '' })).toThrow(new TypeError('`key` must be a non-empty string, got "".'));
    expect(redisConcurrency({ client, limit: 4 }).limit).toBe(4);
  });
});
