import { createFilesLoader } from 'cdf-loader';
import DataLoader from 'dataloader';
import type { Contender, Item, Outcome, Target } from '../contenders/contender.js';
import { batchFunction, type FileRef } from '../contenders/dataloader.js';
import { type LoadWave, loaderContender } from '../contenders/loader-contender.js';
import { minimalLoader } from '../contenders/minimal-loader.js';
import { createMemoryCdf } from '../fake/memory-cdf.js';
import { allocatedBytes } from '../harness/allocation.js';
import type { IsolatedSetup, Pass } from '../harness/isolated-protocol.js';
import { type IsolatedSample, isolatedRounds, runIsolated } from '../harness/isolated.js';
import { type Measurement, measure } from '../harness/measure.js';
import { alternate } from '../harness/rounds.js';
import { summarize } from '../harness/stats.js';
import { number, ratio, spread } from '../report/format.js';
import { markdownTable } from '../report/markdown.js';
import { checkRatio, resultsOf, type TargetCheck } from '../report/section.js';
import { seededRandom } from '../random.js';
import { randomOperations, workloadOf } from '../workload.js';
import { cpuProfileSection } from '../report/cpu-profile.js';
import type { Profile, Scenario, ScenarioContext } from './scenario.js';

const SIZES: Record<Profile, { files: number; loads: number }> = {
  full: { files: 10_000, loads: 100_000 },
  quick: { files: 10_000, loads: 100_000 },
  tiny: { files: 200, loads: 1_000 },
};
/** Rounds of the regression guard, the minimal loader and cdf-loader taking turns in one process. */
const GUARD_ROUNDS: Record<Profile, number> = { full: 12, quick: 6, tiny: 2 };
const GUARD_LIMIT = 2;

const MINIMAL = 'minimal loader: per-tick queue, Map of one promise per key, chunks of 1000, raw fetch';
const DATALOADER = 'dataloader (shared): batch function over ky';
const CDF_LOADER = 'cdf-loader (shared)';

/**
 * B2's contenders, built alike in this process and in each child process: a resolver's
 * `Promise.all(refs.map((ref) => loader.load(ref)))` per operation. For the `cold` pass
 * cdf-loader runs with `cache: false`, as the target says; for `hot`, with a cache big enough for
 * every file under both its keys.
 */
function b2Contenders(profile: Profile, pass: Pass): Contender[] {
  const cache = pass === 'cold' ? false : { max: 5 * SIZES[profile].files, ttlMs: 600_000 };
  return [
    perLoad(MINIMAL, (target) => {
      const load = minimalLoader(target);
      return (ref) => load(ref.id);
    }),
    perLoad(DATALOADER, (target) => {
      const loader = new DataLoader<FileRef, Item | null, number>(batchFunction(target), { maxBatchSize: 1000, cacheKeyFn: (ref) => ref.id });
      return (ref) => loader.load(ref);
    }),
    perLoad(CDF_LOADER, (target) => {
      const loader = createFilesLoader({ baseUrl: target.baseUrl, project: target.project, getToken: () => target.token, fetch: target.fetch!, cache });
      return (ref) => loader.load(ref);
    }),
  ];
}

/** B2's contenders, its workload and its in-memory CDF. */
export function b2Setup(profile: Profile, pass: Pass): Required<IsolatedSetup> {
  const { files, loads } = SIZES[profile];
  const memory = createMemoryCdf(files);
  const workload = workloadOf([{ after: 'settled', operations: randomOperations(seededRandom(2), memory.fileIds, loads / 100, [100]) }]);
  return { contenders: b2Contenders(profile, pass), workload, target: memory.target };
}

/** One measured run. */
interface Run {
  measurement: Measurement;
  outcome: Outcome;
}

interface PassSamples {
  cold: Map<Contender, readonly Run[]>;
  hot: Map<Contender, readonly Run[]>;
  bytesPerLoad: { cold: Map<string, number>; hot: Map<string, number> };
}

/** B2: CPU per load with the network taken out, cold (coalescing, fan-out) and from the cache. */
export const b2CpuPerLoad: Scenario = {
  id: 'B2',
  title: 'CPU per load',
  async run(context) {
    const { loads } = SIZES[context.profile];
    const chosen = b2Contenders(context.profile, 'cold').filter((contender) => context.includes(contender.name));
    const rounds = 2 * context.plan.rounds;
    const samples = context.plan.isolated ? await isolatedPasses(context, chosen, rounds) : await inProcessPasses(context, chosen);
    const perLoadUs = (measurement: Measurement): number => (measurement.cpuMs * 1000) / loads;
    const median = (name: string, pass: 'cold' | 'hot'): number => {
      const runs = [...samples[pass]].find(([contender]) => contender.name === name)?.[1];
      return runs === undefined ? Number.NaN : summarize(runs.map((run) => perLoadUs(run.measurement))).median;
    };
    const rows = [...samples.cold].map(([contender, coldRuns]) => {
      const cold = coldRuns.map((run) => run.measurement);
      const hot = (samples.hot.get(contender) ?? []).map((run) => run.measurement);
      const of = (runs: readonly Measurement[], value: (run: Measurement) => number): string => (runs.length === 0 ? '—' : spread(summarize(runs.map(value))));
      const gcShare = (runs: readonly Measurement[]): string =>
        runs.length === 0 ? '—' : `${Math.round((100 * runs.reduce((sum, run) => sum + run.gcMs, 0)) / runs.reduce((sum, run) => sum + run.cpuMs, 0))} %`;
      return [
        contender.name,
        of(cold, perLoadUs),
        cold[0] === undefined ? '—' : number(perLoadUs(cold[0])),
        of(cold, (run) => run.gcMs),
        gcShare(cold),
        number(samples.bytesPerLoad.cold.get(contender.name) ?? Number.NaN),
        of(hot, perLoadUs),
        number(samples.bytesPerLoad.hot.get(contender.name) ?? Number.NaN),
        ratio(median(CDF_LOADER, 'cold') / median(contender.name, 'cold')),
        ratio(median(CDF_LOADER, 'hot') / median(contender.name, 'hot')),
      ];
    });
    const targets: TargetCheck[] = [];
    const check = (subject: string, other: string, pass: 'cold' | 'hot', limit: number): void => {
      const measured = median(subject, pass) / median(other, pass);
      if (!Number.isNaN(measured)) targets.push(checkRatio(`${subject} ÷ ${other}, CPU per load, ${pass === 'cold' ? 'cache off' : 'cache hits'}`, measured, limit));
    };
    check(CDF_LOADER, DATALOADER, 'cold', 0.6);
    check(CDF_LOADER, MINIMAL, 'cold', 1.5);
    check(CDF_LOADER, DATALOADER, 'hot', 0.2);
    const guard = await regressionGuard(context, chosen);
    if (guard !== undefined) targets.push(guard);
    return {
      id: 'B2',
      title: `CPU per load: ${loads.toLocaleString('en-US')} load() calls over ${SIZES[context.profile].files.toLocaleString('en-US')} keys, in-memory transport`,
      measures:
        'No HTTP: every contender gets a `fetch` that answers byids from memory with prepared JSON, so what remains is the loader’s own work ' +
        '(keys, queueing, dedupe, request bodies, parsing, matching, fan-out). A run is 1,000 operations started in one tick, each a resolver’s ' +
        '`Promise.all(refs.map((ref) => loader.load(ref)))` over 100 refs (each key about 10 times), on a fresh loader: cdf-loader with `cache: false`. ' +
        'Cache hits: a fresh loader loads the workload once, unmeasured, then again, measured (cdf-loader from its cache, dataloader from its memoized ' +
        'promises, the minimal loader from its map of promises). CPU is the process’s user + system time, GC included, per load; the first-round ' +
        'column is a fresh process’s first run. GC pauses are the main thread’s, summed from PerformanceObserver `gc` entries (wall time, so a busy machine stretches them). Bytes allocated per load come from another fresh ' +
        'process, its second run under V8’s sampling heap profiler with collected objects kept (garbage included), the harness’s own allocations included.',
      tables: [
        markdownTable(
          [
            'contender',
            'cache off: CPU µs / load',
            'first round',
            'GC pauses ms / run',
            'GC pauses ÷ CPU',
            'bytes allocated / load',
            'cache hits: CPU µs / load',
            'cache hits: bytes / load',
            `${CDF_LOADER} ÷ this, cache off`,
            `${CDF_LOADER} ÷ this, cache hits`,
          ],
          rows,
        ),
        ...(await cpuProfileSection(context, 'B2', CDF_LOADER)),
      ],
      targets,
      notes: [],
      results: resultsOf(samples.cold),
    };
  },
};

/** Each contender in processes of its own; bytes per load from one more process per pass. */
async function isolatedPasses(context: ScenarioContext, contenders: readonly Contender[], rounds: number): Promise<PassSamples> {
  const base = { scenario: 'B2' as const, profile: context.profile, target: undefined, fileIds: undefined };
  const options = { childScript: context.childScript };
  const measurements = (samples: Map<Contender, IsolatedSample[]>): Map<Contender, Run[]> => {
    for (const [contender, runs] of samples) checkOutcomes(contender.name, runs);
    return samples;
  };
  const cold = measurements(await isolatedRounds({ ...base, pass: 'cold' }, contenders, rounds, options));
  const hot = measurements(await isolatedRounds({ ...base, pass: 'hot' }, contenders, rounds, options));
  const bytesPerLoad = { cold: new Map<string, number>(), hot: new Map<string, number>() };
  for (const pass of ['cold', 'hot'] as const) {
    for (const contender of contenders) {
      const { bytesPerLoad: bytes } = await runIsolated({ ...base, pass, contenders: [contender.name], rounds: 1, allocation: true }, options);
      for (const [name, value] of bytes) bytesPerLoad[pass].set(name, value);
    }
  }
  return { cold, hot, bytesPerLoad };
}

/** The old way, warmed figures: all in this process, alternating, each run after a full GC (and `rewarm`). */
async function inProcessPasses(context: ScenarioContext, contenders: readonly Contender[]): Promise<PassSamples> {
  const result: PassSamples = { cold: new Map(), hot: new Map(), bytesPerLoad: { cold: new Map(), hot: new Map() } };
  for (const pass of ['cold', 'hot'] as const) {
    // This pass's contenders (cdf-loader's cache follows the pass), found by the name of the one asked for.
    const setup = b2Setup(context.profile, pass);
    const session = async (contender: Contender): Promise<() => Promise<Outcome>> => {
      const run = setup.contenders.find((candidate) => candidate.name === contender.name)!.prepare(setup.target, setup.workload);
      if (pass === 'hot') await run();
      return run;
    };
    const samples = await alternate(contenders, context.plan, async (contender) => {
      const run = await session(contender);
      const rewarm = async (): Promise<void> => void (await (await session(contender))());
      const { result: outcome, measurement } = await measure(run, context.plan.rewarm ? { rewarm } : {});
      checkOutcomes(contender.name, [{ outcome }]);
      return { measurement, outcome };
    });
    result[pass] = samples;
    for (const contender of contenders) {
      const run = await session(contender);
      result.bytesPerLoad[pass].set(contender.name, (await allocatedBytes(run)) / SIZES[context.profile].loads);
    }
  }
  return result;
}

/**
 * The regression guard: the minimal loader and cdf-loader taking turns in one process, rounds as
 * they come. cdf-loader's median CPU per load above `GUARD_LIMIT` × the minimal loader's fails the
 * bench: a margin wide enough that a busy machine cannot trip it, a ratio in one process so a
 * slow machine cannot either.
 */
async function regressionGuard(context: ScenarioContext, contenders: readonly Contender[]): Promise<TargetCheck | undefined> {
  const names = [MINIMAL, CDF_LOADER];
  if (!context.plan.isolated || !names.every((name) => contenders.some((contender) => contender.name === name))) return undefined;
  const { samples } = await runIsolated(
    { scenario: 'B2', profile: context.profile, pass: 'cold', target: undefined, fileIds: undefined, contenders: names, rounds: GUARD_ROUNDS[context.profile], allocation: false },
    { childScript: context.childScript },
  );
  const cpu = (name: string): number => summarize(samples.filter((sample) => sample.contender === name).map((sample) => sample.measurement.cpuMs)).median;
  return { ...checkRatio(`regression guard: ${CDF_LOADER} ÷ ${MINIMAL}, CPU per load, cache off, in one process`, cpu(CDF_LOADER) / cpu(MINIMAL), GUARD_LIMIT), guard: true };
}

function perLoad(name: string, makeLoad: (target: Target) => (ref: FileRef) => Promise<Item | null>): Contender {
  return loaderContender(name, (target) => {
    const load = makeLoad(target);
    const wave: LoadWave = (ids) => Promise.all(ids.map((id) => load({ id }))).catch((error: Error) => ids.map(() => error));
    return () => wave;
  });
}

/** A contender that answered wrong is a broken bench, not a slow contender. */
function checkOutcomes(name: string, runs: readonly { outcome: Outcome }[]): void {
  for (const { outcome } of runs) {
    if (outcome.wrong > 0 || outcome.failed > 0) throw new Error(`B2: ${name} answered ${outcome.wrong} loads wrong and failed ${outcome.failed}`);
  }
}

