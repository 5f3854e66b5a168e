import { alternate } from '../harness/rounds.js';
import { summarize } from '../harness/stats.js';
import { spread } from '../report/format.js';
import { markdownTable } from '../report/markdown.js';
import { resultsOf, type TargetCheck } from '../report/section.js';
import { seededRandom } from '../random.js';
import { startReplicaFleet } from '../replicas/fleet.js';
import { redisForBench } from '../replicas/redis-server.js';
import { type ReplicaRunSample, runReplicas, type Sharing } from '../replicas/replica-run.js';
import { type Burst, randomOperations } from '../workload.js';
import type { Profile, Scenario } from './scenario.js';

const REPLICAS = 6;
const LATENCY_MS = 5;
/** Requests the fake serves at once for the project, as in B6. */
const PROJECT_LIMIT = 8;
/** Requests the fake accepts from the project in any second (throttled ones count); 429 beyond. */
const PROJECT_RATE = 15;
/**
 * The fleet's `redisRate`: a little below the project's rate, since requests spaced 1000 / 12 ms
 * apart as they leave may arrive closer (16 arrivals in the fake's second would need 1,250 ms).
 */
const FLEET_RATE = 12;
const MAX_CONCURRENCY = 4;

/** The operations (B3's GraphQL shape) and how they arrive: one every `intervalMs`, round-robin over the replicas. */
interface Sizes {
  operations: number;
  waves: readonly number[];
  hotFiles: number;
  intervalMs: number;
}

const SIZES: Record<Profile, Sizes> = {
  full: { operations: 30, waves: [10, 30, 60], hotFiles: 5000, intervalMs: 200 },
  quick: { operations: 15, waves: [10, 30, 60], hotFiles: 2000, intervalMs: 200 },
  tiny: { operations: 6, waves: [2, 3, 5], hotFiles: 100, intervalMs: 20 },
};

/** One row: what the replicas share. */
interface Row {
  name: string;
  sharing: Sharing;
}

/** B11: six replicas sharing a cache and a concurrency budget under a per-second limit, without and with a shared rate. */
export const b11RateBudget: Scenario = {
  id: 'B11',
  title: 'rate budget',
  async run(context) {
    const sizes = SIZES[context.profile];
    const fake = await context.fake();
    const operations = randomOperations(seededRandom(11), fake.fileIds.slice(0, sizes.hotFiles), sizes.operations, sizes.waves);
    const bursts: Burst[] = operations.map((operation, index) => ({ after: index === 0 ? 'settled' : sizes.intervalMs, operations: [operation] }));
    const rows: Row[] = [
      { name: `${REPLICAS} replicas sharing Redis, no rate budget`, sharing: { limit: PROJECT_LIMIT } },
      { name: `${REPLICAS} replicas sharing Redis and redisRate (${FLEET_RATE}/s)`, sharing: { limit: PROJECT_LIMIT, perSecond: FLEET_RATE } },
    ].filter((row) => context.includes(row.name));
    const title = `${REPLICAS} replicas under a per-second limit: ${sizes.operations} operations (levels of ${sizes.waves.join(', ')}), one every ${sizes.intervalMs} ms; fake at ${LATENCY_MS} ms serving ${PROJECT_LIMIT} requests at once and ${PROJECT_RATE} a second for the project (429 beyond)`;
    const redis = await redisForBench();
    if (typeof redis === 'string') {
      return {
        id: 'B11',
        title,
        measures: 'Not run.',
        tables: [],
        targets: [{ target: `${REPLICAS} replicas with redisRate: no 429`, measured: `not run (${redis})`, met: false }],
        notes: [],
        results: [],
      };
    }
    const fleet = await startReplicaFleet(REPLICAS);
    let samples: Map<Row, ReplicaRunSample[]>;
    try {
      await fake.configure({ latencyMs: LATENCY_MS, concurrencyLimit: PROJECT_LIMIT, rateLimit: { requests: PROJECT_RATE, intervalMs: 1000 } });
      samples = await alternate(rows, context.plan, (row) => runReplicas(fake, fleet, { replicas: REPLICAS, maxConcurrency: MAX_CONCURRENCY, sharing: row.sharing }, bursts, redis));
    } finally {
      await fake.configure({ latencyMs: 0, concurrencyLimit: undefined });
      await fleet.close();
      await redis.stop();
    }

    const table = markdownTable(
      ['replicas', 'HTTP requests', '429s met', 'identifiers sent', 'failed loads', 'p50 operation ms', 'p95 operation ms', 'wall ms'],
      [...samples].map(([row, runs]) => {
        const of = (value: (sample: ReplicaRunSample) => number): string => spread(summarize(runs.map(value)));
        return [
          row.name,
          of((sample) => sample.counters.requests),
          of((sample) => sample.counters.throttled),
          of((sample) => sample.counters.items),
          of((sample) => sample.outcome.failed),
          of((sample) => sample.p50Ms),
          of((sample) => sample.p95Ms),
          of((sample) => sample.wallMs),
        ];
      }),
    );
    const targets: TargetCheck[] = [];
    for (const [row, runs] of samples) {
      if (row.sharing.perSecond === undefined) continue;
      const throttled = runs.reduce((sum, run) => sum + run.counters.throttled, 0);
      targets.push({ target: `${row.name}: no 429`, measured: `${throttled} × 429 over ${runs.length} runs`, met: throttled === 0 });
      const wrong = runs.reduce((sum, run) => sum + run.outcome.wrong + run.outcome.failed, 0);
      targets.push({ target: `${row.name}: every answer right`, measured: `${wrong} wrong or failed loads over ${runs.length} runs`, met: wrong === 0 });
    }
    return {
      id: 'B11',
      title,
      measures:
        `Each replica is one loader (maxConcurrency ${MAX_CONCURRENCY}, cache on) sharing redisCache and redisConcurrency (limit ${PROJECT_LIMIT}), so the fleet ` +
        `keeps within the project's concurrency but not, without a rate budget, within its ${PROJECT_RATE} requests a second; with redisRate ` +
        `(perSecond ${FLEET_RATE}) every attempt, retries included, waits for the fleet's next turn, taken on Redis's clock in one round trip. ` +
        'Every run starts cold: new loaders, empty shared keys. 429s met are the fake’s count; loads are retried as the loader’s defaults say.',
      tables: [table],
      targets,
      notes: [
        `Redis: ${redis.source}. The replicas ran in ${fleet.where === 'processes' ? 'processes of their own' : 'this process (the harness’s test runs the sources, which cannot be forked)'}.`,
      ],
      results: resultsOf(samples),
    };
  },
};
