import { afterAll, beforeAll, expect, it } from 'vitest';
import { minimalLoaderContender } from '../src/contenders/minimal-loader.js';
import type { FakeCdf } from '../src/fake/fake-cdf.js';
import { startInProcessFakeCdf } from '../src/fake/in-process.js';
import { runAgainstFake } from '../src/harness/http-run.js';
import { seededRandom } from '../src/random.js';
import { randomOperations, workloadOf } from '../src/workload.js';

let fake: FakeCdf;
beforeAll(async () => {
  fake = await startInProcessFakeCdf({ files: 300 });
});
afterAll(() => fake.close());

// The warming session runs first and is neither counted nor measured: the sample is the measured run's alone.
it('measures only the run after the warming session: its loads, and the requests the fake saw from it', async () => {
  const workload = workloadOf([{ after: 'settled', operations: randomOperations(seededRandom(5), fake.fileIds, 20, [5, 10]) }]);
  const contender = minimalLoaderContender('minimal');
  let sessions = 0;
  const counted = { ...contender, prepare: (...args: Parameters<typeof contender.prepare>) => (sessions++, contender.prepare(...args)) };

  const cold = await runAgainstFake(fake, counted, workload, false);
  expect(sessions).toBe(1);
  const warmed = await runAgainstFake(fake, counted, workload, true);
  expect(sessions).toBe(3);

  expect(warmed.outcome).toEqual(cold.outcome);
  expect(warmed.outcome.loads).toBe(20 * 15);
  expect(warmed.counters.requests).toBe(cold.counters.requests);
  expect(warmed.counters.items).toBe(cold.counters.items);
  expect(warmed.counters.requests).toBeGreaterThan(0);
});
