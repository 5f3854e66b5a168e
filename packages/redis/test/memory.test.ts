import { generateData } from '@cdf-loader/mock-cdf';
import { describe, expect, test } from 'vitest';
import { redisCache } from '../src/index.js';
import { connect, redisForTests, uniqueName } from './support.js';

const redis = await redisForTests();

describe.skipIf(redis === undefined)('memory in Redis', () => {
  test('a file with three keys takes its JSON once, plus two small pointers', async () => {
    const client = await connect(redis?.url ?? '');
    const keyPrefix = `${uniqueName()}:`;
    // The fake's files, each given an externalId and an instanceId where it has none.
    const items = generateData({ counts: { files: 1000 } }).files.map((file) => {
      const externalId = file.externalId ?? `file-${file.id}`;
      const instanceId = file.instanceId ?? { space: 'documents', externalId };
      return {
        item: { ...file, externalId, instanceId },
        keys: [file.id, `e${externalId}`, `n${instanceId.space}:${instanceId.externalId}`],
      };
    });
    const scope = { project: 'my-project', resource: 'files', principal: 'service-account' };

    // One script writes 3,000 keys: on a busy machine that can outlast the 100 ms deadline, which
    // is not what this test is about.
    await redisCache({ client, keyPrefix, timeoutMs: 5_000 }).setMany(scope, items, []);

    let bytes = 0;
    let keys = 0;
    for await (const batch of client.scanIterator({ MATCH: `${keyPrefix}*`, COUNT: 1000 })) {
      for (const key of batch) bytes += (await client.memoryUsage(key, { SAMPLES: 0 })) ?? 0;
      keys += batch.length;
    }
    const jsonBytes = items.reduce((sum, { item }) => sum + JSON.stringify(item).length, 0) / items.length;
    expect(keys).toBe(3000);
    // Measured: about 1,070 bytes a file for 500 bytes of JSON (README, "Memory in Redis"). An
    // item stored under each of its keys would take over 1,900.
    expect(jsonBytes).toBeGreaterThan(450);
    expect(bytes / items.length).toBeLessThan(1_300);
  });
});
