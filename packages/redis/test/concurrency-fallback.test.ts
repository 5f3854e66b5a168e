import { createFilesLoader } from 'cdf-loader';
import { describe, expect, test } from 'vitest';
import { redisConcurrency } from '../src/index.js';
import { connect, isConnected, loaderOptions, privateRedisForTests, until, useMockCdf } from './support.js';

// This test kills Redis, so it runs on a server of its own even where REDIS_URL is set.
const server = await privateRedisForTests();
const cdf = useMockCdf({ counts: { files: 100 } });

describe('redisConcurrency `fallbackLimit`', () => {
  test.skipIf(server === undefined)('is checked: an integer from 1 up to `limit`', async () => {
    const client = await connect(server!.url);
    try {
      for (const bad of [0, 5, 1.5, '2']) {
        expect(() => redisConcurrency({ client, limit: 4, fallbackLimit: bad as number })).toThrow(
          new TypeError(`\`fallbackLimit\` must be an integer from 1 up to \`limit\` (4), got ${typeof bad === 'string' ? `"${bad}"` : bad}.`),
        );
      }
      expect(redisConcurrency({ client, limit: 4, fallbackLimit: 3 }).fallbackLimit).toBe(3);
      expect(redisConcurrency({ client, limit: 4 })).toMatchObject({ fallbackLimit: 4, replicas: 1 });
    } finally {
      client.destroy();
    }
  });

  test.skipIf(server === undefined)('while Redis is down, each replica keeps to its share of `limit` among the replicas seen, not its whole local limit', async () => {
    const replica = async () => {
      const client = await connect(server!.url);
      const budget = redisConcurrency({ client, key: 'fallback', limit: 4 });
      const files = createFilesLoader(loaderOptions(cdf(), { sharedConcurrency: budget, maxConcurrency: 4, maxBatchSize: 1, batchWindowMs: 0 }));
      return { client, budget, files, close: () => Promise.all([files.close(), budget.close()]) };
    };
    const [a, b] = [await replica(), await replica()];
    const files = cdf().data.files;
    try {
      // a holds 2 slots, b takes 1 and a one more: each saw the other holding a slot.
      cdf().configure({ latency: { fixedMs: 200 } });
      const first = [a.files.load({ id: files[0]!.id }), a.files.load({ id: files[1]!.id })];
      await until(() => cdf().counters.inFlight === 2, 'a’s two requests at the fake');
      first.push(b.files.load({ id: files[2]!.id }));
      await until(() => cdf().counters.inFlight === 3, 'b’s request at the fake');
      first.push(a.files.load({ id: files[3]!.id }));
      expect(await Promise.all(first)).toEqual(files.slice(0, 4));
      expect([a.budget.replicas, a.budget.fallbackLimit, b.budget.replicas, b.budget.fallbackLimit]).toEqual([2, 2, 2, 2]);

      // A replica seen within the last minute still counts while it holds nothing.
      expect(await a.files.load({ id: files[4]!.id })).toEqual(files[4]);
      expect(a.budget.replicas).toBe(2);

      await server!.kill();
      await until(() => !isConnected(a.client), 'a’s client to see Redis gone');
      cdf().reset();
      cdf().configure({ latency: { fixedMs: 50 } });
      const loads = files.slice(10, 22).map((file) => a.files.load({ id: file.id }));
      expect(await Promise.all(loads)).toEqual(files.slice(10, 22));
      expect(cdf().counters).toMatchObject({ requests: 12, maxConcurrent: 2, throttled: 0 });
    } finally {
      cdf().configure({ latency: undefined });
      await Promise.all([a.close(), b.close()]);
      await server!.restart();
    }
  });
});
