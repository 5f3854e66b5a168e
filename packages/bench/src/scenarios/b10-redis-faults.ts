import { randomUUID } from 'node:crypto';
import { PrivateRedisServer } from '@cdf-loader/redis/testing';
import { addOutcome, emptyOutcome, type Outcome } from '../contenders/contender.js';
import type { FakeCdf, FakeCdfCounters } from '../fake/fake-cdf.js';
import { alternate } from '../harness/rounds.js';
import { summarize } from '../harness/stats.js';
import { number, ratio, spread } from '../report/format.js';
import { markdownTable } from '../report/markdown.js';
import { checkRatio, type TargetCheck } from '../report/section.js';
import { seededRandom } from '../random.js';
import { type ReplicaFleet, startReplicaFleet } from '../replicas/fleet.js';
import { type FaultTiming, type RedisFault, strike } from '../replicas/redis-faults.js';
import { type Burst, randomOperations } from '../workload.js';
import { prepareReplicas } from '../replicas/replica-run.js';
import type { Profile, Scenario } from './scenario.js';

const REPLICAS = 4;
const LATENCY_MS = 5;
/** Requests the fake serves at once for the whole project, and the replicas' shared budget. */
const PROJECT_LIMIT = 8;
const MAX_CONCURRENCY = 4;
/** A paused Redis may cost the run at most this much wall time, in ms. */
const PAUSE_EXTRA_LIMIT_MS = 1_000;
/** Identifiers sent with poisoned entries, at most this many times the run without. */
const POISONED_SENT_LIMIT = 1.3;

/** One profile's run: B3's operations arriving over a few seconds, and when the fault strikes. */
interface Sizes {
  operations: number;
  waves: readonly number[];
  hotFiles: number;
  /** Operations arriving together, and the time between arrivals (ms). */
  perBurst: number;
  intervalMs: number;
  /** Each replica's local cache, below the hot set: every replica keeps reading Redis throughout. */
  cacheMax: number;
  timing: FaultTiming;
}

const SIZES: Record<Profile, Sizes> = {
  full: { operations: 1_000, waves: [10, 30, 60], hotFiles: 5_000, perBurst: 5, intervalMs: 20, cacheMax: 500, timing: { atMs: 1_000, forMs: 3_000, poisonShare: 0.1 } },
  quick: { operations: 500, waves: [10, 30, 60], hotFiles: 1_500, perBurst: 5, intervalMs: 20, cacheMax: 200, timing: { atMs: 500, forMs: 3_000, poisonShare: 0.1 } },
  tiny: { operations: 40, waves: [2, 3, 5], hotFiles: 100, perBurst: 8, intervalMs: 5, cacheMax: 20, timing: { atMs: 10, forMs: 200, poisonShare: 0.1 } },
};

interface Row {
  name: string;
  fault: RedisFault;
}

interface RowSample {
  wallMs: number;
  counters: FakeCdfCounters;
  outcome: Outcome;
  sharedHits: number;
  /** Replica processes that ended during the run. */
  lost: number;
  poisoned: number;
}

/** B10: 4 replicas sharing a private Redis that is paused, killed and restarted, or poisoned mid-run. */
export const b10RedisFaults: Scenario = {
  id: 'B10',
  title: 'Redis faults',
  async run(context) {
    const sizes = SIZES[context.profile];
    const { timing } = sizes;
    const allRows: Row[] = [
      { name: 'no fault', fault: 'none' },
      { name: `Redis paused ${seconds(timing.forMs)} (SIGSTOP, SIGCONT)`, fault: 'paused' },
      { name: `Redis killed, started again empty ${seconds(timing.forMs)} later`, fault: 'killed' },
      { name: `${Math.round(timing.poisonShare * 100)} % of the entries swapped and as many corrupted`, fault: 'poisoned' },
    ];
    const rows = allRows.filter((row) => context.includes(row.name));
    const fake = await context.fake();
    const operations = randomOperations(seededRandom(10), fake.fileIds.slice(0, sizes.hotFiles), sizes.operations, sizes.waves);
    const bursts: Burst[] = [];
    for (let start = 0; start < operations.length; start += sizes.perBurst) {
      bursts.push({ after: start === 0 ? 'settled' : sizes.intervalMs, operations: operations.slice(start, start + sizes.perBurst) });
    }
    const section = {
      id: 'B10',
      title:
        `Redis faults: ${REPLICAS} replicas sharing a private redis-server, ${number(sizes.operations)} operations of ${sizes.waves.join(' + ')} refs ` +
        `over ${number(sizes.hotFiles)} hot files arriving ${sizes.perBurst} every ${sizes.intervalMs} ms, a fault ${seconds(timing.atMs)} into the run; fake at ${LATENCY_MS} ms serving ${PROJECT_LIMIT} at once`,
      measures:
        `Each replica is a process with one loader (maxConcurrency ${MAX_CONCURRENCY}, a local cache of ${number(sizes.cacheMax)} entries, below the hot set, so it keeps reading Redis), ` +
        `redisCache and redisConcurrency (limit ${PROJECT_LIMIT}) on a node-redis client with **no \`'error'\` listener**. Every run starts cold on fresh keys. ` +
        'Every answer is checked: the item for each id, from the fake. `+ wall` is the row’s wall time over the no-fault run’s (medians); `÷ no fault` its identifiers sent over the no-fault run’s.',
      tables: [] as string[],
      targets: [] as TargetCheck[],
      notes: [] as string[],
      results: [] as { contender: string; outcome: Outcome }[],
    };
    const server = await PrivateRedisServer.start();
    if (typeof server === 'string') {
      section.targets.push({ target: 'B10', measured: `not run (no Redis: ${server})`, met: false });
      return section;
    }
    const fleet = await startReplicaFleet(REPLICAS);
    let samples: Map<Row, RowSample[]>;
    try {
      await fake.configure({ latencyMs: LATENCY_MS, concurrencyLimit: PROJECT_LIMIT });
      samples = await alternate(rows, context.plan, (row) => runFaulted(fake, fleet, server, row.fault, bursts, sizes));
    } finally {
      await fleet.close();
      await server.kill();
    }

    const median = (row: Row | undefined, value: (sample: RowSample) => number): number =>
      row === undefined ? Number.NaN : summarize((samples.get(row) ?? []).map(value)).median;
    const total = (row: Row | undefined, value: (sample: RowSample) => number): number =>
      row === undefined ? Number.NaN : (samples.get(row) ?? []).reduce((sum, sample) => sum + value(sample), 0);
    const calm = rows.find((row) => row.fault === 'none');
    const calmWall = median(calm, (sample) => sample.wallMs);
    const calmSent = median(calm, (sample) => sample.counters.items);
    section.tables.push(
      markdownTable(
        ['Redis', 'wall ms', '+ wall ms', 'identifiers sent', '÷ no fault', 'HTTP requests', '429s met', 'shared hits', 'failed loads', 'wrong answers', 'replica processes lost', 'entries poisoned'],
        [...samples].map(([row, runs]) => {
          const of = (value: (sample: RowSample) => number): string => spread(summarize(runs.map(value)));
          return [
            row.name,
            of((sample) => sample.wallMs),
            number(median(row, (sample) => sample.wallMs) - calmWall),
            of((sample) => sample.counters.items),
            ratio(median(row, (sample) => sample.counters.items) / calmSent),
            of((sample) => sample.counters.requests),
            of((sample) => sample.counters.throttled),
            of((sample) => sample.sharedHits),
            of((sample) => sample.outcome.failed),
            of((sample) => sample.outcome.wrong),
            of((sample) => sample.lost),
            of((sample) => sample.poisoned),
          ];
        }),
      ),
    );

    const runs = (fault: RedisFault): number => samples.get(rows.find((row) => row.fault === fault)!)?.length ?? 0;
    const paused = rows.find((row) => row.fault === 'paused');
    if (paused !== undefined && calm !== undefined) {
      const extra = median(paused, (sample) => sample.wallMs) - calmWall;
      section.targets.push({ target: `paused ${seconds(timing.forMs)}: the run ≤ ${PAUSE_EXTRA_LIMIT_MS} ms longer than with no fault`, measured: `${extra < 0 ? '−' : '+'}${number(Math.abs(extra))} ms`, met: extra <= PAUSE_EXTRA_LIMIT_MS });
    }
    const killed = rows.find((row) => row.fault === 'killed');
    if (killed !== undefined) {
      const failed = total(killed, (sample) => sample.outcome.failed);
      const lost = total(killed, (sample) => sample.lost);
      section.targets.push({ target: 'killed and restarted: 0 failed loads', measured: `${failed} failed over ${runs('killed')} runs`, met: failed === 0 });
      section.targets.push({ target: 'killed and restarted: every replica process alive, with no `error` listener', measured: `${lost} lost over ${runs('killed')} runs`, met: lost === 0 });
    }
    const poisoned = rows.find((row) => row.fault === 'poisoned');
    if (poisoned !== undefined) {
      const wrong = total(poisoned, (sample) => sample.outcome.wrong);
      section.targets.push({ target: 'poisoned: 0 wrong answers', measured: `${wrong} wrong over ${runs('poisoned')} runs`, met: wrong === 0 });
      if (calm !== undefined) section.targets.push(checkRatio('poisoned: identifiers sent ÷ the run without', median(poisoned, (sample) => sample.counters.items) / calmSent, POISONED_SENT_LIMIT));
    }
    section.notes.push(
      `Poisoned: ${seconds(timing.atMs)} into the run, of the cache entries then in Redis ${Math.round(timing.poisonShare * 100)} % hold another key’s record (swapped in pairs) and as many are corrupted ` +
        '(cut in half, or bytes that are no record), their TTLs kept; a replica may read any of them in place of the item.',
      `The replicas ran in ${fleet.where === 'processes' ? 'processes of their own' : 'this process (the harness’s test runs the sources, which cannot be forked)'}, alongside the fake and Redis, on this machine’s cores.`,
    );
    for (const [row, rowRuns] of samples) {
      const outcome = emptyOutcome();
      for (const run of rowRuns) addOutcome(outcome, run.outcome);
      section.results.push({ contender: row.name, outcome });
    }
    return section;
  },
};

/** One run of the fleet on fresh keys, with `fault` striking on the side; a replica process that ends is counted, not thrown. */
async function runFaulted(fake: FakeCdf, fleet: ReplicaFleet, server: PrivateRedisServer, fault: RedisFault, bursts: readonly Burst[], sizes: Sizes): Promise<RowSample> {
  const keyPrefix = `cdf-loader-b10:${randomUUID()}:`;
  const redis = { url: server.url, cluster: false, keyPrefix, limit: PROJECT_LIMIT };
  await prepareReplicas(fake, fleet.hosts, { maxConcurrency: MAX_CONCURRENCY, redis, cacheMax: sizes.cacheMax, errorListener: false }, bursts);
  const startedAt = performance.now();
  let wallMs = Number.NaN;
  const served = Promise.allSettled(fleet.hosts.map((host) => host.run())).then((settled) => {
    wallMs = performance.now() - startedAt;
    return settled;
  });
  // The fault may outlast the run (the replicas went on without Redis): the run's wall time is its own.
  const [results, record] = await Promise.all([served, strike(fault, server, keyPrefix, sizes.timing)]);
  await Promise.allSettled(fleet.hosts.map((host) => host.release()));
  const outcome = emptyOutcome();
  let sharedHits = 0;
  for (const result of results) {
    if (result.status === 'rejected') continue;
    addOutcome(outcome, result.value.outcome);
    sharedHits += result.value.sharedHits;
  }
  return {
    wallMs,
    counters: await fake.counters(),
    outcome,
    sharedHits,
    lost: results.filter((result) => result.status === 'rejected').length,
    poisoned: record.poisoned,
  };
}

function seconds(ms: number): string {
  return ms >= 1_000 ? `${ms / 1_000} s` : `${ms} ms`;
}
