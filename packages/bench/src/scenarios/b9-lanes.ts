import { createFilesLoader, type InternalId } from 'cdf-loader';
import { emptyOutcome, type Outcome, type Target } from '../contenders/contender.js';
import { FORKS, runFresh } from '../harness/fresh-process.js';
import { fakeTarget } from '../harness/http-run.js';
import { percentile, summarize } from '../harness/stats.js';
import { number, ratio, spread } from '../report/format.js';
import { pick, seededRandom } from '../random.js';
import { markdownTable } from '../report/markdown.js';
import { resultsOf, type TargetCheck } from '../report/section.js';
import type { Profile, Scenario } from './scenario.js';

/** Identifiers of the bulk run; tiny is for the harness's test. */
const BULK: Record<Profile, number> = { full: 100_000, quick: 30_000, tiny: 2_000 };
const LOADS_PER_OPERATION = 20;
const OPERATION_EVERY_MS = 20;
/** Operations at least, when the bulk ends sooner. */
const MIN_OPERATIONS = 20;
const LATENCY_MS = 15;
const IN_FLIGHT = 4;
const P95_TARGET = 1.5;

export interface B9Args {
  target: Target;
  fileIds: readonly number[];
  /** Identifiers of the bulk run; 0: interactive operations alone. */
  bulk: number;
  /** Operations to run alone; with a bulk run, as many as start before it ends (at least `MIN_OPERATIONS`). */
  operations: number;
}

export interface B9Result {
  /** Wall time of each interactive operation, ms. */
  latencies: number[];
  bulkMs: number | undefined;
  outcome: Outcome;
}

interface Sample extends B9Result {
  throttled: number;
}

/** B9: interactive operations on a loader that also runs a `loadAll`, against the same operations alone. */
export const b9Lanes: Scenario = {
  id: 'B9',
  title: 'interactive loads beside a bulk run',
  async run(context) {
    const fake = await context.fake();
    const bulk = BULK[context.profile];
    if (fake.fileIds.some((id) => id <= bulk)) throw new Error(`B9 uses ids 1..${bulk} as unknown ids, but the fake has a file among them`);
    await fake.configure({ latencyMs: LATENCY_MS, concurrencyLimit: IN_FLIGHT });
    const withBulk = { name: `${LOADS_PER_OPERATION} loads every ${OPERATION_EVERY_MS} ms beside loadAll over ${number(bulk)}` };
    const alone = { name: `${LOADS_PER_OPERATION} loads every ${OPERATION_EVERY_MS} ms, no bulk` };
    const samples = new Map<{ name: string }, Sample[]>([
      [withBulk, []],
      [alone, []],
    ]);
    const runOnce = async (args: B9Args): Promise<Sample> => {
      await fake.reset();
      const result = await runFresh<B9Args, B9Result>(import.meta.url, 'b9Run', args);
      return { ...result, throttled: (await fake.counters()).throttled };
    };
    for (let round = 0; round < context.plan.rounds; round++) {
      const base = { target: fakeTarget(fake), fileIds: fake.fileIds };
      const mixed = await runOnce({ ...base, bulk, operations: 0 });
      samples.get(withBulk)!.push(mixed);
      samples.get(alone)!.push(await runOnce({ ...base, bulk: 0, operations: mixed.latencies.length }));
    }
    await fake.configure({ latencyMs: 0, concurrencyLimit: undefined });

    const p95 = (runs: Sample[]): number => summarize(runs.map((run) => percentile(run.latencies, 0.95))).median;
    const rows = [...samples].map(([contender, runs]) => {
      const of = (value: (sample: Sample) => number): string => spread(summarize(runs.map(value)));
      return [
        contender.name,
        of((run) => run.latencies.length),
        of((run) => percentile(run.latencies, 0.5)),
        of((run) => percentile(run.latencies, 0.95)),
        runs[0]!.bulkMs === undefined ? '—' : of((run) => run.bulkMs!),
        of((run) => run.throttled),
      ];
    });
    const ratioP95 = p95(samples.get(withBulk)!) / p95(samples.get(alone)!);
    const bulkOutcome = samples.get(withBulk)!.reduce((sum, run) => sum + run.outcome.wrong + run.outcome.failed, 0);
    const targets: TargetCheck[] = [
      { target: `interactive p95 beside the bulk run ≤ ${P95_TARGET}× the p95 with no bulk`, measured: ratio(ratioP95), met: ratioP95 <= P95_TARGET },
      { target: 'the bulk run finishes, every result right', measured: `${bulkOutcome} wrong or failed`, met: bulkOutcome === 0 },
    ];
    return {
      id: 'B9',
      title: `Lanes: interactive operations beside loadAll over ${number(bulk)} ids, fake at ${LATENCY_MS} ms, ${IN_FLIGHT} in flight`,
      measures:
        `One files loader (maxConcurrency ${IN_FLIGHT}, \`cache: false\` so every load asks CDF) runs \`loadAll\` over ${number(bulk)} identifiers ` +
        `(a tenth unknown, the fake's files in turn) while an operation of ${LOADS_PER_OPERATION} \`load\`s of random files starts every ${OPERATION_EVERY_MS} ms ` +
        `until the bulk run ends; then, in another fresh process, as many operations with no bulk run. The fake answers after ${LATENCY_MS} ms and serves ` +
        `${IN_FLIGHT} requests at once (429 beyond). Latency is an operation's wall time (ms); every result of both is checked.`,
      tables: [markdownTable(['run', 'operations', 'p50 ms', 'p95 ms', 'bulk run ms', '429s'], rows)],
      targets,
      notes: FORKS ? [] : ["Ran in this process (the harness's test): times mean nothing."],
      results: resultsOf(samples),
    };
  },
};

/** One run, in a fresh process: the interactive operations, with the bulk run beside them or not. */
export async function b9Run({ target, fileIds, bulk, operations }: B9Args): Promise<B9Result> {
  const files = createFilesLoader({ baseUrl: target.baseUrl, project: target.project, getToken: () => target.token, maxConcurrency: IN_FLIGHT, cache: false });
  const outcome = emptyOutcome();
  const random = seededRandom(9);
  let bulkDone = bulk === 0;
  const bulkStartedAt = performance.now();
  const bulkRun = bulk === 0 ? Promise.resolve(undefined) : runBulk(files, bulk, fileIds, outcome).then(() => ((bulkDone = true), performance.now() - bulkStartedAt));
  const latencies: number[] = [];
  const running: Promise<void>[] = [];
  for (let started = 0; bulk === 0 ? started < operations : !bulkDone || started < MIN_OPERATIONS; started++) {
    const ids = pick(random, fileIds, LOADS_PER_OPERATION);
    const startedAt = performance.now();
    running.push(
      Promise.all(ids.map((id) => files.load({ id }))).then((items) => {
        latencies.push(performance.now() - startedAt);
        outcome.loads += items.length;
        items.forEach((item, index) => item?.id !== ids[index] && outcome.wrong++);
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, OPERATION_EVERY_MS));
  }
  await Promise.all(running);
  const bulkMs = await bulkRun;
  await files.close();
  return { latencies: latencies.sort((a, b) => a - b), bulkMs, outcome };
}

async function runBulk(files: ReturnType<typeof createFilesLoader>, count: number, fileIds: readonly number[], outcome: Outcome): Promise<void> {
  const known = new Set(fileIds);
  const idAt = (index: number): number => (index % 10 === 9 ? index + 1 : fileIds[index % fileIds.length]!);
  async function* identifiers(): AsyncGenerator<InternalId> {
    for (let index = 0; index < count; index++) yield { id: idAt(index) };
  }
  let index = 0;
  for await (const { identifier, item, error } of files.loadAll(identifiers())) {
    const expected = idAt(index++);
    outcome.loads++;
    if (error !== undefined) outcome.failed++;
    else if (identifier.id !== expected || (known.has(expected) ? item?.id !== expected : item !== null)) outcome.wrong++;
  }
  if (index !== count) outcome.wrong += count - index;
}

