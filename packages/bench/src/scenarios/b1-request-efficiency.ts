import { cdfLoaderContender } from '../contenders/cdf-loader.js';
import { cogniteSdkContender } from '../contenders/cognite-sdk.js';
import type { Contender } from '../contenders/contender.js';
import { dataLoaderContender } from '../contenders/dataloader.js';
import { compareOverHttp, type HttpSample } from '../harness/http-run.js';
import { summarize } from '../harness/stats.js';
import { number } from '../report/format.js';
import { markdownTable } from '../report/markdown.js';
import { resultsOf, type Section, type TargetCheck } from '../report/section.js';
import { seededRandom } from '../random.js';
import { type Burst, globalFloor, loadCount, perBurstFloor, randomOperations, type Workload, workloadOf } from '../workload.js';
import type { Profile, Scenario } from './scenario.js';

/** Multiplies B1's pool sizes and operation counts. */
const SCALE: Record<Profile, number> = { full: 1, quick: 0.4, tiny: 0.03 };

interface Case {
  name: string;
  latencyMs: number;
  workload: Workload;
}

/** B1's cases: single bursts, a burst half cached, waves while requests are in flight, and bursts beyond the concurrency limit. */
function cases(fileIds: readonly number[], scale: number): Case[] {
  const random = seededRandom(1);
  const size = (value: number): number => Math.max(1, Math.round(value * scale));
  const burst = (after: Burst['after'], from: number, poolSize: number, operations: number): Burst => ({
    after,
    operations: randomOperations(random, fileIds.slice(size(from), size(from) + size(poolSize)), size(operations), [100]),
  });
  return [
    { name: 'one burst, cold', latencyMs: 5, workload: workloadOf([burst('settled', 0, 3000, 100)]) },
    {
      name: 'a second burst after the first settled, half of it cached',
      latencyMs: 5,
      workload: workloadOf([burst('settled', 0, 3000, 100), burst('settled', 1500, 3000, 100)]),
    },
    {
      name: '10 waves 2 ms apart, each half new, while requests are in flight (fake at 20 ms)',
      latencyMs: 20,
      workload: workloadOf(Array.from({ length: 10 }, (_, wave) => burst(wave === 0 ? 'settled' : 2, 250 * wave, 500, 10))),
    },
    {
      name: '6 bursts 1 ms apart over new files, beyond the 4 requests in flight (fake at 20 ms)',
      latencyMs: 20,
      workload: workloadOf(Array.from({ length: 6 }, (_, index) => burst(index === 0 ? 'settled' : 1, 1500 * index, 1500, 20))),
    },
  ];
}

/** B1: HTTP requests per burst of loads, against the fewest CDF allows. */
export const b1RequestEfficiency: Scenario = {
  id: 'B1',
  title: 'request efficiency',
  async run(context) {
    const fake = await context.fake();
    const shared = cdfLoaderContender('cdf-loader (shared)', 'shared');
    const perRequest = cdfLoaderContender('cdf-loader forRequest() per operation', 'forRequest');
    const contenders = [
      shared,
      perRequest,
      dataLoaderContender('dataloader (shared)', false),
      dataLoaderContender('dataloader per operation', true),
      cogniteSdkContender('@cognite/sdk retrieve per operation', 'per-wave'),
    ].filter((contender) => context.includes(contender.name));
    // Request counts barely vary: three rounds are plenty.
    // Request counts do not depend on how warm the JIT is: no warming session before each run.
    const plan = { warmup: context.plan.warmup, rounds: Math.min(3, context.plan.rounds), rewarm: false, isolated: false };

    const rows: string[][] = [];
    const targets: TargetCheck[] = [];
    const allSamples = new Map<Contender, HttpSample[]>(contenders.map((contender) => [contender, []]));
    for (const { name, latencyMs, workload } of cases(fake.fileIds, SCALE[context.profile])) {
      const samples = await compareOverHttp(fake, { latencyMs, concurrencyLimit: undefined }, contenders, workload, plan);
      const floor = perBurstFloor(workload);
      const requests = (contender: Contender): number => summarize((samples.get(contender) ?? []).map((sample) => sample.counters.requests)).median;
      rows.push([name, number(loadCount(workload)), number(floor), number(globalFloor(workload)), ...contenders.map((contender) => cell(samples.get(contender) ?? []))]);
      for (const subject of [shared, perRequest].filter((contender) => samples.has(contender))) {
        targets.push({ target: `${name}: ${subject.name} requests ≤ ${floor}`, measured: number(requests(subject)), met: requests(subject) <= floor });
      }
      for (const [contender, runs] of samples) allSamples.get(contender)?.push(...runs);
    }
    return {
      id: 'B1',
      title: 'Request efficiency: HTTP requests per burst of loads',
      measures:
        'Operations of 100 file references each, every burst issued in one tick. The per-burst floor is Σ ceil(unique keys not fetched by an earlier ' +
        'burst / 1000), the target; the global floor is ceil(all unique keys / 1000). Cells: HTTP requests (identifiers sent), median of the rounds.',
      tables: [markdownTable(['case', 'loads', 'floor per burst', 'global floor', ...contenders.map((contender) => contender.name)], rows)],
      targets,
      notes: [],
      results: resultsOf(allSamples),
    } satisfies Section;
  },
};

function cell(runs: readonly HttpSample[]): string {
  const median = (value: (sample: HttpSample) => number): string => number(summarize(runs.map(value)).median);
  return `${median((sample) => sample.counters.requests)} (${median((sample) => sample.counters.items)})`;
}
