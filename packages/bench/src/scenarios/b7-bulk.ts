import { createFilesLoader, type InternalId } from 'cdf-loader';
import { emptyOutcome, type Outcome, type Target } from '../contenders/contender.js';
import type { FakeCdfCounters } from '../fake/fake-cdf.js';
import { runFresh } from '../harness/fresh-process.js';
import { fakeTarget } from '../harness/http-run.js';
import { type Measurement, measure } from '../harness/measure.js';
import { alternate } from '../harness/rounds.js';
import { summarize } from '../harness/stats.js';
import { megabytes, number, ratio, spread } from '../report/format.js';
import { markdownTable } from '../report/markdown.js';
import { resultsOf, type TargetCheck } from '../report/section.js';
import { MAX_ITEMS } from '../workload.js';
import type { Profile, Scenario } from './scenario.js';

/** Identifiers per run; tiny is for the harness's test, which checks answers, not speed. */
const IDENTIFIERS: Record<Profile, number> = { full: 200_000, quick: 50_000, tiny: 3_000 };
/** Every tenth identifier names no file. */
const UNKNOWN_EVERY = 10;
const LATENCY_MS = 20;
const IN_FLIGHT = 4;
const THROUGHPUT_TARGET = 0.9;
const HEAP_TARGET_BYTES = 64 * 2 ** 20;

/** One way of looking the identifiers up; `prepare` runs outside the measured time. */
interface BulkContender {
  name: string;
  prepare(target: Target): () => Promise<Outcome>;
}

interface Sample {
  measurement: Measurement;
  outcome: Outcome;
  counters: FakeCdfCounters;
}

/**
 * The input, generated as it is read: identifier `index` is an id the fake has no file for
 * (every tenth), or the next of the fake's files, cycling. Unknown ids are small numbers, far
 * below the fake's generated ids.
 */
function identifierAt(index: number, fileIds: readonly number[]): number {
  if (index % UNKNOWN_EVERY === UNKNOWN_EVERY - 1) return index + 1;
  const known = index - Math.floor((index + 1) / UNKNOWN_EVERY);
  return fileIds[known % fileIds.length] as number;
}

/** B7: `loadAll` over a long async stream of identifiers against the ideal schedule. */
export const b7Bulk: Scenario = {
  id: 'B7',
  title: 'bulk lookups with loadAll',
  async run(context) {
    const count = IDENTIFIERS[context.profile];
    const fake = await context.fake();
    if (fake.fileIds.some((id) => id <= count)) throw new Error(`B7 uses ids 1..${count} as unknown ids, but the fake has a file among them`);
    const subject: FreshContender = { name: LOAD_ALL, kind: 'loadAll' };
    const ideal: FreshContender = { name: IDEAL, kind: 'ideal' };
    const contenders = [ideal, subject].filter((contender) => context.includes(contender.name));
    await fake.configure({ latencyMs: LATENCY_MS, concurrencyLimit: undefined });
    // Every measured run in a fresh process, as a service or script meets it: no warm-up round.
    const samples = await alternate(contenders, { ...context.plan, warmup: 0 }, async (contender): Promise<Sample> => {
      await fake.reset();
      const run = await runFresh<B7Args, Omit<Sample, 'counters'>>(import.meta.url, 'b7Run', { kind: contender.kind, count, fileIds: fake.fileIds, target: fakeTarget(fake) });
      return { ...run, counters: await fake.counters() };
    });

    const computedIdealMs = (Math.ceil(count / MAX_ITEMS) / IN_FLIGHT) * LATENCY_MS;
    const wallMs = (contender: FreshContender): number => summarize((samples.get(contender) ?? []).map((sample) => sample.measurement.wallMs)).median;
    const rows = [...samples].map(([contender, runs]) => {
      const of = (value: (sample: Sample) => number, format?: (value: number) => string): string => spread(summarize(runs.map(value)), format);
      return [
        contender.name,
        of((sample) => sample.measurement.wallMs),
        of((sample) => (count / sample.measurement.wallMs) * 1000),
        of((sample) => sample.counters.requests),
        of((sample) => sample.counters.items),
        of((sample) => sample.counters.maxConcurrent),
        of((sample) => sample.measurement.cpuMs),
        of((sample) => sample.measurement.peakHeapBytes, megabytes),
        samples.has(ideal) ? ratio(wallMs(ideal) / wallMs(contender)) : '—',
        ratio(computedIdealMs / wallMs(contender)),
      ];
    });

    const targets: TargetCheck[] = [];
    const subjectRuns = samples.get(subject);
    if (subjectRuns !== undefined) {
      if (samples.has(ideal)) {
        const throughput = wallMs(ideal) / wallMs(subject);
        targets.push({
          target: `${subject.name}: throughput ≥ ${THROUGHPUT_TARGET}× the ideal schedule's`,
          measured: ratio(throughput),
          met: throughput >= THROUGHPUT_TARGET,
        });
      }
      const peak = Math.max(...subjectRuns.map((sample) => sample.measurement.peakHeapBytes));
      targets.push({
        target: `${subject.name}: peak heap ≤ ${megabytes(HEAP_TARGET_BYTES)} MB above the baseline`,
        measured: `${megabytes(peak)} MB`,
        met: peak <= HEAP_TARGET_BYTES,
      });
    }
    const requests = Math.ceil(count / MAX_ITEMS);
    return {
      id: 'B7',
      title: `Bulk: loadAll over ${number(count)} identifiers (${100 / UNKNOWN_EVERY} % unknown) from an async generator, fake at ${LATENCY_MS} ms, ${IN_FLIGHT} in flight`,
      measures:
        `An async generator makes the identifiers as they are read (nothing is held up front): every tenth an id the fake has no file for, ` +
        `the others the fake's ${number(fake.fileIds.length)} files in turn. cdf-loader's \`loadAll\` runs on a files loader with ` +
        `maxConcurrency ${IN_FLIGHT} and \`cache: false\` (a cache would answer the repeated files, which a real bulk run over distinct ids would not have), ` +
        'and every result is checked in input order. The ideal schedule sends the same identifiers ' +
        `in ${number(requests)} requests of ${number(MAX_ITEMS)} with prebuilt bodies, ${IN_FLIGHT} at a time, by raw \`fetch\`; on paper ` +
        `that is ${number(requests)} / ${IN_FLIGHT} × ${LATENCY_MS} ms = ${number(computedIdealMs)} ms (the last column). Throughput is identifiers per second; ` +
        'peak heap is the most in use during the run above the heap at its start, after a full GC. Where the cycle of known files is shorter ' +
        "than loadAll's read-ahead (the smaller profiles), a repeat can join a request already carrying it, and fewer identifiers are sent.",
      tables: [
        markdownTable(
          ['contender', 'wall ms', 'identifiers/s', 'HTTP requests', 'items sent', 'most in flight', 'CPU ms', 'peak heap MB', 'throughput ÷ ideal schedule', 'throughput ÷ ideal on paper'],
          rows,
        ),
      ],
      targets,
      notes: [],
      results: resultsOf(samples),
    };
  },
};

const LOAD_ALL = 'cdf-loader loadAll';
const IDEAL = `ideal schedule: raw byids, ${IN_FLIGHT} at a time`;

interface FreshContender {
  name: string;
  kind: B7Args['kind'];
}

export interface B7Args {
  kind: 'loadAll' | 'ideal';
  count: number;
  fileIds: readonly number[];
  target: Target;
}

/** One measured run of a contender, in a fresh process (see `runFresh`). */
export async function b7Run({ kind, count, fileIds, target }: B7Args): Promise<Omit<Sample, 'counters'>> {
  const known = new Set(fileIds);
  const contender = kind === 'loadAll' ? loadAllContender(count, fileIds, known) : idealScheduleContender(count, fileIds, known);
  const { result, measurement } = await measure(contender.prepare(target));
  return { measurement, outcome: result };
}

/** `loadAll` on a default files loader, reading an async generator; checks each result against its place in the input. */
function loadAllContender(count: number, fileIds: readonly number[], known: ReadonlySet<number>): BulkContender {
  return {
    name: LOAD_ALL,
    prepare(target) {
      // No cache: the fake's files repeat in the input, and a cache would answer the repeats.
      const files = createFilesLoader({ baseUrl: target.baseUrl, project: target.project, getToken: () => target.token, maxConcurrency: IN_FLIGHT, cache: false });
      async function* identifiers(): AsyncGenerator<InternalId> {
        for (let index = 0; index < count; index++) yield { id: identifierAt(index, fileIds) };
      }
      return async () => {
        const outcome = emptyOutcome();
        for await (const { identifier, item, error } of files.loadAll(identifiers())) {
          const expected = identifierAt(outcome.loads++, fileIds);
          if (error !== undefined) outcome.failed++;
          else if (identifier.id !== expected || (known.has(expected) ? item?.id !== expected : item !== null)) outcome.wrong++;
        }
        await files.close();
        return outcome;
      };
    },
  };
}

/**
 * The same identifiers in requests of 1000 (an id repeated within one request is sent once, as
 * CDF requires), bodies built before the clock starts, `IN_FLIGHT` at a time.
 */
function idealScheduleContender(count: number, fileIds: readonly number[], known: ReadonlySet<number>): BulkContender {
  return {
    name: IDEAL,
    prepare(target) {
      const chunks: { body: string; expectedItems: number }[] = [];
      let chunk = new Set<number>();
      const close = (): void => {
        const ids = [...chunk];
        chunks.push({ body: JSON.stringify({ items: ids.map((id) => ({ id })), ignoreUnknownIds: true }), expectedItems: ids.filter((id) => known.has(id)).length });
        chunk = new Set();
      };
      for (let index = 0; index < count; index++) {
        chunk.add(identifierAt(index, fileIds));
        if (chunk.size === MAX_ITEMS) close();
      }
      if (chunk.size > 0) close();
      const url = `${target.baseUrl}/api/v1/projects/${target.project}/files/byids`;
      const headers = { authorization: `Bearer ${target.token}`, 'content-type': 'application/json' };
      return async () => {
        const outcome: Outcome = { ...emptyOutcome(), loads: count };
        let next = 0;
        const worker = async (): Promise<void> => {
          for (let taken = chunks[next++]; taken !== undefined; taken = chunks[next++]) {
            const response = await fetch(url, { method: 'POST', headers, body: taken.body });
            if (!response.ok) {
              outcome.failed += taken.expectedItems;
              await response.body?.cancel();
              continue;
            }
            const { items } = (await response.json()) as { items: unknown[] };
            outcome.wrong += Math.abs(taken.expectedItems - items.length);
          }
        };
        await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
        return outcome;
      };
    },
  };
}
