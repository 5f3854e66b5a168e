import { randomUUID } from 'node:crypto';
import { addOutcome, emptyOutcome, type Outcome } from '../contenders/contender.js';
import type { FakeCdf, FakeCdfCounters } from '../fake/fake-cdf.js';
import { fakeTarget } from '../harness/http-run.js';
import { alternate } from '../harness/rounds.js';
import { percentile, summarize } from '../harness/stats.js';
import { ratio, spread } from '../report/format.js';
import { markdownTable } from '../report/markdown.js';
import { checkRatio, type TargetCheck } from '../report/section.js';
import { seededRandom } from '../random.js';
import { type ReplicaFleet, startReplicaFleet } from '../replicas/fleet.js';
import { type BenchRedis, redisForBench } from '../replicas/redis-server.js';
import type { ReplicaResult } from '../replicas/replica.js';
import { type Burst, randomOperations } from '../workload.js';
import { describeGraphql, GRAPHQL_SIZES } from './graphql.js';
import type { Profile, Scenario } from './scenario.js';

const LATENCY_MS = 5;
/** Requests the fake serves at once for the whole project; one more is answered 429. */
const PROJECT_LIMIT = 8;
/** Each replica's own limit: 4 replicas × 4 already exceed the project's 8. */
const MAX_CONCURRENCY = 4;
const REPLICA_COUNTS = [4, 8] as const;
/** Identifiers sent by the replicas sharing Redis, at most this many times what one replica sends alone. */
const SENT_LIMIT = 1.05;
/** Each replica's p50 and p95 operation sharing Redis, at most this many times the same replica's on its own. */
const LATENCY_LIMIT = 0.9;

/** How the operations arrive: B3's operations, in bursts spread over time, as a load balancer hands them out. */
interface Arrivals {
  /** Operations in each burst. */
  perBurst: number;
  /** Time between bursts, in ms. */
  intervalMs: number;
}

const ARRIVALS: Record<Profile, Arrivals> = {
  full: { perBurst: 10, intervalMs: 20 },
  quick: { perBurst: 10, intervalMs: 20 },
  tiny: { perBurst: 8, intervalMs: 5 },
};

/** One row: how many replicas, and whether they share Redis. */
interface Row {
  name: string;
  replicas: number;
  shared: boolean;
}

/** One measured run of a row. */
interface RowSample {
  wallMs: number;
  counters: FakeCdfCounters;
  outcome: Outcome;
  sharedHits: number;
  p50Ms: number;
  p95Ms: number;
  /** Each replica's own p50 and p95 operation, by replica. */
  replicaP50Ms: number[];
  replicaP95Ms: number[];
}

/** B6: one service in 4 and 8 replica processes against one throttled project, on their own and sharing Redis. */
export const b6Replicas: Scenario = {
  id: 'B6',
  title: 'many replicas',
  async run(context) {
    const sizes = GRAPHQL_SIZES[context.profile];
    const arrivals = ARRIVALS[context.profile];
    const fake = await context.fake();
    const operations = randomOperations(seededRandom(6), fake.fileIds.slice(0, sizes.hotFiles), sizes.operations, sizes.waves);
    const bursts: Burst[] = [];
    for (let start = 0; start < operations.length; start += arrivals.perBurst) {
      bursts.push({ after: start === 0 ? 'settled' : arrivals.intervalMs, operations: operations.slice(start, start + arrivals.perBurst) });
    }

    const alone: Row = { name: '1 replica alone', replicas: 1, shared: false };
    const allRows = [alone, ...REPLICA_COUNTS.flatMap((replicas) => [
      { name: `${replicas} replicas, each on its own`, replicas, shared: false },
      { name: `${replicas} replicas sharing Redis`, replicas, shared: true },
    ])].filter((row) => context.includes(row.name));
    const redis = allRows.some((row) => row.shared) ? await redisForBench() : undefined;
    const rows = allRows.filter((row) => !row.shared || typeof redis === 'object');
    const fleet = await startReplicaFleet(Math.max(0, ...rows.map((row) => row.replicas)));
    let samples: Map<Row, RowSample[]>;
    try {
      await fake.configure({ latencyMs: LATENCY_MS, concurrencyLimit: PROJECT_LIMIT });
      samples = await alternate(rows, context.plan, (row) => runRow(fake, fleet, row, bursts, typeof redis === 'object' ? redis : undefined));
    } finally {
      await fleet.close();
      if (typeof redis === 'object') await redis.stop();
    }

    const median = (row: Row, value: (sample: RowSample) => number): number => summarize((samples.get(row) ?? []).map(value)).median;
    const aloneSent = samples.has(alone) ? median(alone, (sample) => sample.counters.items) : Number.NaN;
    /** Each replica's median over the row's runs of one of its figures. */
    const perReplica = (row: Row, value: (sample: RowSample) => number[]): number[] =>
      Array.from({ length: row.replicas }, (_, index) => median(row, (sample) => value(sample)[index] ?? Number.NaN));
    const table = markdownTable(
      [
        'replicas',
        'identifiers sent',
        '÷ one alone',
        'HTTP requests',
        '429s met',
        'shared hits',
        'failed loads',
        'p50 operation ms',
        'p95 operation ms',
        'p50 per replica ms',
        'p95 per replica ms',
        'wall ms',
      ],
      [...samples].map(([row, runs]) => {
        const of = (value: (sample: RowSample) => number): string => spread(summarize(runs.map(value)));
        return [
          row.name,
          of((sample) => sample.counters.items),
          ratio(median(row, (sample) => sample.counters.items) / aloneSent),
          of((sample) => sample.counters.requests),
          of((sample) => sample.counters.throttled),
          of((sample) => sample.sharedHits),
          of((sample) => sample.outcome.failed),
          of((sample) => sample.p50Ms),
          of((sample) => sample.p95Ms),
          perReplica(row, (sample) => sample.replicaP50Ms).map(Math.round).join(' · '),
          perReplica(row, (sample) => sample.replicaP95Ms).map(Math.round).join(' · '),
          of((sample) => sample.wallMs),
        ];
      }),
    );

    const targets: TargetCheck[] = [];
    const notes: string[] = [];
    for (const replicas of REPLICA_COUNTS) {
      const subject = `${replicas} replicas sharing Redis`;
      const row = rows.find((candidate) => candidate.name === subject);
      const runs = row === undefined ? undefined : samples.get(row);
      if (typeof redis === 'string') {
        for (const target of [`identifiers sent ≤ ${SENT_LIMIT}× one replica alone`, 'no 429', 'every answer right']) {
          targets.push({ target: `${subject}: ${target}`, measured: 'not run (no Redis)', met: false });
        }
        continue;
      }
      if (row === undefined || runs === undefined) continue;
      const sent = median(row, (sample) => sample.counters.items) / aloneSent;
      if (!Number.isNaN(sent)) targets.push(checkRatio(`${subject}: identifiers sent ÷ one replica alone`, sent, SENT_LIMIT));
      const own = rows.find((candidate) => candidate.name === `${replicas} replicas, each on its own`);
      if (own !== undefined && samples.has(own)) {
        for (const [label, value] of [['p50', (sample: RowSample) => sample.replicaP50Ms], ['p95', (sample: RowSample) => sample.replicaP95Ms]] as const) {
          const alone = perReplica(own, value);
          const worst = Math.max(...perReplica(row, value).map((shared, index) => shared / alone[index]!));
          targets.push(checkRatio(`${subject}: every replica's ${label} operation ÷ the same replica on its own (worst replica)`, worst, LATENCY_LIMIT));
        }
      }
      const throttled = runs.reduce((sum, run) => sum + run.counters.throttled, 0);
      targets.push({ target: `${subject}: no 429`, measured: `${throttled} × 429 over ${runs.length} runs`, met: throttled === 0 });
      const wrong = runs.reduce((sum, run) => sum + run.outcome.wrong + run.outcome.failed, 0);
      targets.push({ target: `${subject}: every answer right`, measured: `${wrong} wrong or failed loads over ${runs.length} runs`, met: wrong === 0 });
    }
    notes.push(
      'Sharing Redis, a replica that holds its slots looks in Redis once more and then claims the keys it is about to fetch (SET NX PX); ' +
        'a key another replica has claimed waits for that replica\u2019s answer instead of being fetched again, so the replicas together send ' +
        'what one replica alone sends. The price is latency: an operation may wait for another replica\u2019s request.',
    );
    if (typeof redis === 'string') notes.push(`The rows sharing Redis did not run: ${redis}`);
    else if (redis !== undefined) notes.push(`Redis: ${redis.source}.`);
    notes.push(
      `The replicas ran in ${fleet.where === 'processes' ? 'processes of their own' : 'this process (the harness’s test runs the sources, which cannot be forked)'}, ` +
        'alongside the fake, on this machine’s cores: wall times and latencies include their contention for them.',
    );
    return {
      id: 'B6',
      title:
        `Many replicas: ${describeGraphql(sizes)}, arriving ${arrivals.perBurst} every ${arrivals.intervalMs} ms and spread round-robin over the replicas; ` +
        `fake at ${LATENCY_MS} ms serving ${PROJECT_LIMIT} requests at once for the project (429 beyond)`,
      measures:
        `Each replica is one loader (maxConcurrency ${MAX_CONCURRENCY}, cache on), so ${REPLICA_COUNTS.map((count) => `${count} × ${MAX_CONCURRENCY}`).join(' and ')} ` +
        `requests may be in flight against a project that serves ${PROJECT_LIMIT}. On their own, the replicas each fetch what they need and meet 429s; ` +
        `sharing Redis (@cdf-loader/redis: redisCache, and redisConcurrency with limit ${PROJECT_LIMIT}) a file one replica fetched is a hit for all, ` +
        'and all together keep within the project’s limit. Every run starts cold: new loaders, an empty shared cache. ' +
        '`÷ one alone` is the row’s identifiers sent over what one replica serving every operation alone sends. Operation latency: first level asked to last level answered, over every replica’s operations.',
      tables: [table],
      targets,
      notes,
      results: [...samples].map(([row, runs]) => {
        const total = emptyOutcome();
        for (const run of runs) addOutcome(total, run.outcome);
        return { contender: row.name, outcome: total };
      }),
    };
  },
};

/** Runs one row once: fresh loaders in its replicas, each serving its share of the operations, the fake's counters zeroed first. */
async function runRow(fake: FakeCdf, fleet: ReplicaFleet, row: Row, bursts: readonly Burst[], redis: BenchRedis | undefined): Promise<RowSample> {
  const hosts = fleet.hosts.slice(0, row.replicas);
  const shared = row.shared && redis !== undefined ? { url: redis.url, keyPrefix: `cdf-loader-bench:${randomUUID()}:`, limit: PROJECT_LIMIT } : undefined;
  await Promise.all(
    hosts.map((host, index) =>
      host.prepare({ target: fakeTarget(fake), maxConcurrency: MAX_CONCURRENCY, redis: shared, bursts: shareOf(bursts, index, row.replicas) }),
    ),
  );
  await fake.reset();
  const startedAt = performance.now();
  let results: ReplicaResult[];
  let wallMs: number;
  try {
    results = await Promise.all(hosts.map((host) => host.run()));
    wallMs = performance.now() - startedAt;
  } finally {
    await Promise.all(hosts.map((host) => host.release()));
  }
  const outcome = emptyOutcome();
  for (const result of results) addOutcome(outcome, result.outcome);
  const latencies = results.flatMap((result) => result.latenciesMs).sort((a, b) => a - b);
  const replicaLatencies = results.map((result) => [...result.latenciesMs].sort((a, b) => a - b));
  return {
    wallMs,
    counters: await fake.counters(),
    outcome,
    sharedHits: results.reduce((sum, result) => sum + result.sharedHits, 0),
    p50Ms: percentile(latencies, 0.5),
    p95Ms: percentile(latencies, 0.95),
    replicaP50Ms: replicaLatencies.map((sorted) => percentile(sorted, 0.5)),
    replicaP95Ms: replicaLatencies.map((sorted) => percentile(sorted, 0.95)),
  };
}

/** Replica `index`'s share of the bursts: every `count`th operation, counted across bursts, at the same times. */
export function shareOf(bursts: readonly Burst[], index: number, count: number): Burst[] {
  let position = 0;
  return bursts.map((burst) => ({ after: burst.after, operations: burst.operations.filter(() => position++ % count === index) }));
}
