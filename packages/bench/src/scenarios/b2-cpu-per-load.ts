import { cdfLoaderContender } from '../contenders/cdf-loader.js';
import { addOutcome, type Contender, emptyOutcome, type Outcome } from '../contenders/contender.js';
import { dataLoaderContender } from '../contenders/dataloader.js';
import { createMemoryCdf } from '../fake/memory-cdf.js';
import { allocatedBytes } from '../harness/allocation.js';
import { type Measurement, measure } from '../harness/measure.js';
import { alternate } from '../harness/rounds.js';
import { summarize } from '../harness/stats.js';
import { megabytes, number, ratio, spread } from '../report/format.js';
import { markdownTable } from '../report/markdown.js';
import { checkRatio, resultsOf, type TargetCheck } from '../report/section.js';
import { seededRandom } from '../random.js';
import { randomOperations, workloadOf } from '../workload.js';
import type { Profile, Scenario } from './scenario.js';

const SIZES: Record<Profile, { files: number; loads: number }> = {
  full: { files: 10_000, loads: 100_000 },
  quick: { files: 10_000, loads: 100_000 },
  tiny: { files: 200, loads: 1_000 },
};
const PER = 100_000;

interface B2Sample {
  cold: Measurement;
  hot: Measurement;
  outcome: Outcome;
}

/** B2: CPU per load with the network taken out, cold (coalescing, fan-out) and from the cache. */
export const b2CpuPerLoad: Scenario = {
  id: 'B2',
  title: 'CPU per load',
  async run(context) {
    const { files, loads } = SIZES[context.profile];
    const memory = createMemoryCdf(files);
    const workload = workloadOf([{ after: 'settled', operations: randomOperations(seededRandom(2), memory.fileIds, loads / 100, [100]) }]);
    // Big enough for every file under both its keys, so the second pass is all cache hits.
    const subject = cdfLoaderContender('cdf-loader (shared)', 'shared', { cache: { max: 5 * files, ttlMs: 600_000 } });
    const baseline = dataLoaderContender('dataloader (shared)', false);
    const contenders = [subject, baseline].filter((contender) => context.includes(contender.name));

    const samples = await alternate(contenders, context.plan, async (contender): Promise<B2Sample> => {
      const run = contender.prepare(memory.target, workload);
      // Both passes of another session: the code of both is warm again after each full GC.
      const rewarm = async (): Promise<void> => {
        const session = contender.prepare(memory.target, workload);
        await session();
        await session();
      };
      const options = context.plan.rewarm ? { rewarm } : {};
      const cold = await measure(run, options);
      const hot = await measure(run, options);
      const outcome = emptyOutcome();
      addOutcome(outcome, cold.result);
      addOutcome(outcome, hot.result);
      return { cold: cold.measurement, hot: hot.measurement, outcome };
    });

    // Allocation is measured apart, since the sampling profiler slows what it watches.
    const allocation = new Map<Contender, { cold: number; hot: number }>();
    for (const contender of contenders) {
      const run = contender.prepare(memory.target, workload);
      const cold = await allocatedBytes(run);
      const hot = await allocatedBytes(run);
      allocation.set(contender, { cold: cold / loads, hot: hot / loads });
    }
    const cpuPer = (runs: readonly B2Sample[], pass: 'cold' | 'hot'): number => summarize(runs.map((run) => (run[pass].cpuMs * PER) / loads)).median;
    const ratioTo = (contender: Contender, pass: 'cold' | 'hot'): number => {
      const mine = samples.get(contender);
      const theirs = samples.get(subject);
      return mine === undefined || theirs === undefined ? Number.NaN : cpuPer(theirs, pass) / cpuPer(mine, pass);
    };
    const rows = [...samples].map(([contender, runs]) => {
      const of = (value: (run: B2Sample) => number, format?: (value: number) => string): string => spread(summarize(runs.map(value)), format);
      return [
        contender.name,
        of((run) => (run.cold.cpuMs * PER) / loads),
        of((run) => run.cold.wallMs),
        of((run) => run.cold.peakHeapBytes, megabytes),
        of((run) => (run.hot.cpuMs * PER) / loads),
        of((run) => run.hot.wallMs),
        number(allocation.get(contender)?.cold ?? Number.NaN),
        number(allocation.get(contender)?.hot ?? Number.NaN),
        ratio(ratioTo(contender, 'cold')),
        ratio(ratioTo(contender, 'hot')),
      ];
    });
    const targets: TargetCheck[] = [];
    if (samples.has(subject) && samples.has(baseline)) {
      targets.push(checkRatio(`${subject.name} ÷ ${baseline.name}, CPU per load, cold`, ratioTo(baseline, 'cold'), 0.5));
      targets.push(checkRatio(`${subject.name} ÷ ${baseline.name}, CPU per load, cache hits`, ratioTo(baseline, 'hot'), 0.2));
    }
    return {
      id: 'B2',
      title: `CPU per load: ${loads.toLocaleString('en-US')} loads over ${files.toLocaleString('en-US')} keys, in-memory transport`,
      measures:
        'No HTTP: both contenders get a `fetch` that answers byids from memory with prepared JSON, so what remains is the loader’s own work ' +
        '(keys, queueing, dedupe, request bodies, parsing, matching, fan-out). Each run issues every load in one tick (1,000 operations × 100 refs, ' +
        'each key about 10 times), cold; then the same loads again on the same loader: cdf-loader answers from its cache, dataloader from its ' +
        'memoized promises. CPU is this process’s user + system time, per 100,000 loads. Bytes allocated per load come from a separate run under ' +
        'V8’s sampling heap profiler with collected objects kept (garbage included), the harness’s own allocations (operations, identifier objects) included.',
      tables: [
        markdownTable(
          [
            'contender',
            'cold: CPU ms / 100k loads',
            'cold: wall ms',
            'cold: peak heap MB',
            'cache hits: CPU ms / 100k loads',
            'cache hits: wall ms',
            'cold: bytes allocated / load',
            'cache hits: bytes allocated / load',
            `${subject.name} ÷ this, cold`,
            `${subject.name} ÷ this, cache hits`,
          ],
          rows,
        ),
      ],
      targets,
      notes: [],
      results: resultsOf(samples),
    };
  },
};
