import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream, createWriteStream, openSync, closeSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { main } from '@cdf-loader/cli';
import { emptyOutcome, type Outcome, type Target } from '../contenders/contender.js';
import { leanLookup } from '../bulk-cli/lean-lookup.js';
import type { FakeCdfCounters } from '../fake/fake-cdf.js';
import { FORKS } from '../harness/fresh-process.js';
import { fakeTarget } from '../harness/http-run.js';
import { alternate } from '../harness/rounds.js';
import { summarize } from '../harness/stats.js';
import { megabytes, number, ratio, spread } from '../report/format.js';
import { seededRandom } from '../random.js';
import { markdownTable } from '../report/markdown.js';
import { resultsOf, type TargetCheck } from '../report/section.js';
import type { Profile, Scenario } from './scenario.js';

/** Lines of the ids file and the distinct ids among them; tiny is for the harness's test. */
const SIZES: Record<Profile, { lines: number; distinct: number }> = {
  full: { lines: 1_000_000, distinct: 200_000 },
  quick: { lines: 200_000, distinct: 40_000 },
  tiny: { lines: 3_000, distinct: 600 },
};
const LATENCY_MS = 20;
const FAKE_LIMIT = 8;
const THROUGHPUT_TARGET = 0.8;
const RSS_TARGET = 1.1;

interface Run {
  wallMs: number;
  /** Peak RSS of the process, in bytes; undefined when it ran in this process (the harness's test). */
  peakRssBytes: number | undefined;
}

interface CliContender {
  name: string;
  run(idsFile: string, outFile: string, target: Target): Promise<Run>;
}

interface Sample extends Run {
  outcome: Outcome;
  counters: FakeCdfCounters;
}

/** B8: the `cdf-loader lookup` CLI over a big ids file against the least a bulk lookup can do. */
export const b8Cli: Scenario = {
  id: 'B8',
  title: 'the CLI over a million ids',
  async run(context) {
    const { lines, distinct } = SIZES[context.profile];
    const fake = await context.startFake({ files: distinct, latencyMs: LATENCY_MS, concurrencyLimit: FAKE_LIMIT });
    const directory = await mkdtemp(join(tmpdir(), 'cdf-loader-b8-'));
    try {
      const ids = idsOf(fake.fileIds, lines);
      const idsFile = join(directory, 'ids.txt');
      await writeFile(idsFile, `${ids.join('\n')}\n`);
      const contenders = [cliContender, leanContender].filter((contender) => context.includes(contender.name));
      const samples = await alternate(contenders, { ...context.plan, warmup: 0 }, async (contender): Promise<Sample> => {
        const outFile = join(directory, 'out.ndjson');
        await fake.reset();
        const run = await contender.run(idsFile, outFile, fakeTarget(fake));
        const counters = await fake.counters();
        return { ...run, counters, outcome: await check(outFile, ids) };
      });
      return report(samples, lines, distinct);
    } finally {
      await rm(directory, { recursive: true, force: true });
      await fake.close();
    }
  },
};

function report(samples: Map<CliContender, Sample[]>, lines: number, distinct: number) {
  const wall = (contender: CliContender): number => summarize((samples.get(contender) ?? []).map((sample) => sample.wallMs)).median;
  const rss = (contender: CliContender): number => summarize((samples.get(contender) ?? []).map((sample) => sample.peakRssBytes ?? Number.NaN)).median;
  const rows = [...samples].map(([contender, runs]) => {
    const of = (value: (sample: Sample) => number, format?: (value: number) => string): string => spread(summarize(runs.map(value)), format);
    return [
      contender.name,
      of((sample) => sample.wallMs / 1000, (value) => value.toFixed(1)),
      of((sample) => (lines / sample.wallMs) * 1000),
      of((sample) => sample.counters.requests),
      of((sample) => sample.counters.items),
      of((sample) => sample.counters.maxConcurrent),
      of((sample) => sample.counters.throttled),
      of((sample) => sample.peakRssBytes ?? Number.NaN, megabytes),
      samples.has(leanContender) ? ratio(wall(leanContender) / wall(contender)) : '—',
    ];
  });
  const targets: TargetCheck[] = [];
  if (samples.has(cliContender) && samples.has(leanContender)) {
    const throughput = wall(leanContender) / wall(cliContender);
    targets.push({ target: `the CLI: throughput ≥ ${THROUGHPUT_TARGET}× the lean script's`, measured: ratio(throughput), met: throughput >= THROUGHPUT_TARGET });
    const memory = rss(cliContender) / rss(leanContender);
    targets.push({ target: `the CLI: peak RSS ≤ ${RSS_TARGET}× the lean script's`, measured: ratio(memory), met: memory <= RSS_TARGET });
  }
  return {
    id: 'B8',
    title: `Bulk: the CLI over ${number(lines)} ids (${number(distinct)} distinct, all found), fake in its own process at ${LATENCY_MS} ms, ${FAKE_LIMIT} in flight`,
    measures:
      `An ids file of ${number(lines)} lines, ${number(distinct)} distinct ids each about ${number(lines / distinct)} times, shuffled (seeded). ` +
      '`cdf-loader lookup files --ids-file ids.txt` (defaults: 4 in flight, its run-long cache) and the lean script (`src/bulk-cli/lean-lookup.ts`: ' +
      'chunks of 1000 lines, each id once per request, 4 in flight, NDJSON in input order, no retries, no cache) each run as a process of its own, ' +
      'output to a file, alternating, every run a fresh process; the CLI\'s output must be byte for byte what the lean script writes, ' +
      'and every line is checked against its input line. Wall time from spawn to exit; peak RSS is the process\'s `maxRSS`.',
    tables: [markdownTable(['contender', 'wall s', 'ids/s', 'HTTP requests', 'items sent', 'most in flight', '429s', 'peak RSS MB', 'throughput ÷ lean script'], rows)],
    targets,
    notes: FORKS ? [] : ['Ran in this process (the harness\'s test): no RSS, and times mean nothing.'],
    results: resultsOf(samples),
  };
}

/** `lines` ids: every distinct id once, then the rest drawn at random among them, all shuffled. */
function idsOf(fileIds: readonly number[], lines: number): number[] {
  const random = seededRandom(22);
  const next = (bound: number): number => Math.floor(random() * bound);
  const ids = Array.from({ length: lines }, (_, index) => (index < fileIds.length ? fileIds[index]! : fileIds[next(fileIds.length)]!));
  for (let index = ids.length - 1; index > 0; index--) {
    const other = next(index + 1);
    [ids[index], ids[other]] = [ids[other]!, ids[index]!];
  }
  return ids;
}

/** Reads the output back: one line per id in input order, each the file asked for. */
async function check(outFile: string, ids: readonly number[]): Promise<Outcome> {
  const outcome = { ...emptyOutcome(), loads: ids.length };
  let index = 0;
  for await (const line of createInterface({ input: createReadStream(outFile) })) {
    const id = ids[index++];
    if (id === undefined || !line.startsWith(`{"identifier":{"id":${id}},"item":{"id":${id},`)) outcome.wrong++;
  }
  outcome.wrong += Math.max(0, ids.length - index);
  return outcome;
}

const cliContender: CliContender = {
  name: 'cdf-loader lookup (the CLI)',
  async run(idsFile, outFile, target) {
    const argv = ['lookup', 'files', '--ids-file', idsFile];
    if (FORKS) return spawnMeasured([fileURLToPath(new URL('./bin.js', import.meta.resolve('@cdf-loader/cli'))), ...argv], outFile, target);
    return inProcess(outFile, async (stdout) => {
      const stderr = new Writable({ write: (_chunk, _encoding, done) => done() });
      const code = await main(argv, { stdin: Readable.from([]), stdout, stderr, env: envOf(target) });
      if (code !== 0) throw new Error(`the CLI exited with ${code}`);
    });
  },
};

const leanContender: CliContender = {
  name: 'lean script: chunks of 1000, 4 in flight',
  async run(idsFile, outFile, target) {
    if (FORKS) return spawnMeasured([fileURLToPath(new URL('../bulk-cli/lean-main.js', import.meta.url)), idsFile], outFile, target);
    return inProcess(outFile, (stdout) => leanLookup(idsFile, stdout, { baseUrl: target.baseUrl, project: target.project, token: target.token }));
  },
};

function envOf(target: Target): Record<string, string> {
  return { CDF_BASE_URL: target.baseUrl, CDF_PROJECT: target.project, CDF_TOKEN: target.token };
}

/** Runs `node <args>` with stdout to `outFile`; wall time from spawn to exit, peak RSS from the preloaded reporter. */
async function spawnMeasured(args: string[], outFile: string, target: Target): Promise<Run> {
  const out = openSync(outFile, 'w');
  const startedAt = performance.now();
  const child = spawn(process.execPath, ['--import', new URL('../bulk-cli/peak-rss.js', import.meta.url).href, ...args], {
    stdio: ['ignore', out, 'inherit', 'pipe'],
    env: { ...process.env, ...envOf(target) },
  });
  let rss = '';
  child.stdio[3]!.on('data', (data: Buffer) => (rss += data.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  const wallMs = performance.now() - startedAt;
  closeSync(out);
  if (code !== 0) throw new Error(`${args[0]} exited with ${code}`);
  return { wallMs, peakRssBytes: Number(rss) * 1024 };
}

/** The harness's test: the run in this process, output to a file stream. */
async function inProcess(outFile: string, run: (stdout: Writable) => Promise<void>): Promise<Run> {
  const stdout = createWriteStream(outFile);
  const startedAt = performance.now();
  await run(stdout);
  stdout.end();
  await once(stdout, 'finish');
  return { wallMs: performance.now() - startedAt, peakRssBytes: undefined };
}
