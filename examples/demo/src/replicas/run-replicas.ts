import { randomUUID } from 'node:crypto';
import type { DemoConfig, MockTarget, ReplicasConfig } from '../config.js';
import { ProgressLine } from '../progress.js';
import type { DemoIo } from '../run.js';
import { percentile } from '../serve.js';
import { openMockTarget, type RunTarget } from '../targets.js';
import { verifyOperations } from '../verify.js';
import { buildWorkload, type Operation, refKey, type Workload } from '../workload.js';
import type { ReplicaJob, SharedRedis } from './replica.js';
import { runReplicas } from './replica-processes.js';

/** How the replicas of one run meet: not at all, or through Redis. */
export type ReplicaMode = 'on their own' | 'sharing Redis';

/** What one run of the replicas did, as the fake counted it and the answers showed. */
export interface ReplicaRunReport {
  mode: ReplicaMode;
  /** File lookups the resolvers made, across the replicas. */
  loads: number;
  /** byids requests the fake received, 429s included. */
  requests: number;
  /** Identifiers in those requests. */
  itemsSent: number;
  /** Requests the fake answered 429. */
  throttled: number;
  /** Most requests the fake served at once. */
  maxConcurrent: number;
  /** Lookups Redis answered instead of CDF. */
  sharedHits: number;
  /** All replicas' start to the last answer, in ms. */
  wallMs: number;
  /** Median and 95th percentile of one operation's time, across the replicas, in ms. */
  p50Ms: number;
  p95Ms: number;
  /** Wrong answers; empty when every answer was right. */
  problems: string[];
  /** One line per operation that got an error instead of a file. */
  failures: string[];
}

/** Everything the replicas demo found out, for `renderReplicasReport` and for tests. */
export interface ReplicasReport {
  replicas: number;
  /** The project-wide limit of the fake, and the shared budget's. */
  projectLimit: number;
  /** Where Redis was. */
  redis: string;
  workload: {
    operations: number;
    /** File lookups the operations make. */
    loads: number;
    /** Distinct file references among them: what the replicas must send at least, together. */
    uniqueKeys: number;
    /** Distinct references summed per replica: what replicas on their own send at least. */
    perReplicaKeys: number;
  };
  runs: ReplicaRunReport[];
  /** What fails the demo: wrong data in either run, and operations failed while sharing Redis. */
  problems: string[];
  /** True when `problems` is empty: the exit code is 0. */
  ok: boolean;
}

/** The mock target and the `--replicas` settings of a replicas config. */
export type ReplicasDemoConfig = DemoConfig & { target: MockTarget; replicas: ReplicasConfig };

/**
 * Starts the fake CDF and runs the workload from `config.replicas.count` replicas twice: each on
 * its own, then sharing `redis` (a cache and a concurrency budget of the fake's project-wide
 * limit). Each replica serves every `count`th operation; the operations in flight are split
 * between them. Every answer is checked against the fake's data.
 */
export async function runReplicasDemo(config: ReplicasDemoConfig, redis: { url: string; description: string }, io: DemoIo): Promise<ReplicasReport> {
  const target = await openMockTarget(config.target, config.workload);
  try {
    const workload = buildWorkload(target.pool, config.workload);
    const runs: ReplicaRunReport[] = [];
    for (const mode of ['on their own', 'sharing Redis'] as const) {
      const shared = mode === 'sharing Redis' ? { url: redis.url, keyPrefix: `cdf-loader-demo:${randomUUID()}:`, limit: config.target.concurrencyLimit } : undefined;
      runs.push(await runMode(mode, config, workload, target, shared, io));
    }
    const problems = runs.flatMap((run) => [
      ...run.problems.map((problem) => `${run.mode}: ${problem}`),
      ...(run.mode === 'sharing Redis' ? run.failures.map((failure) => `${run.mode}: ${failure}`) : []),
    ]);
    return {
      replicas: config.replicas.count,
      projectLimit: config.target.concurrencyLimit,
      redis: redis.description,
      workload: {
        operations: workload.operations.length,
        loads: workload.loads,
        uniqueKeys: workload.uniqueKeys,
        perReplicaKeys: shares(workload.operations, config.replicas.count).reduce((sum, share) => sum + distinctKeys(workload, share), 0),
      },
      runs,
      problems,
      ok: problems.length === 0,
    };
  } finally {
    await target.close();
  }
}

async function runMode(
  mode: ReplicaMode,
  config: ReplicasDemoConfig,
  workload: Workload,
  target: RunTarget,
  redis: SharedRedis | undefined,
  io: DemoIo,
): Promise<ReplicaRunReport> {
  const { count } = config.replicas;
  const server = target.server!;
  const token = await target.getToken();
  const assets = [...workload.assets.values()];
  const jobs = shares(workload.operations, count).map(
    (operations): ReplicaJob => ({
      target: { baseUrl: target.baseUrl, project: target.project, token },
      assets,
      operations,
      concurrency: Math.ceil(config.workload.concurrency / count),
      redis,
    }),
  );
  server.reset();
  const startedAt = performance.now();
  const progress = new ProgressLine(io.stderr, () => {
    const { requests, throttled } = server.counts();
    return `${count} replicas ${mode}: ${requests.toLocaleString('en-US')} requests · ${throttled.toLocaleString('en-US')} × 429 · ${((performance.now() - startedAt) / 1000).toFixed(1)} s`;
  });
  let ran: Awaited<ReturnType<typeof runReplicas>>;
  try {
    ran = await runReplicas(jobs);
  } finally {
    progress.end();
  }

  // Replica r served operations r, r + count, r + 2·count, …: put each answer back in its place.
  const bodies: unknown[] = new Array(workload.operations.length);
  ran.outcomes.forEach((outcome, replica) => outcome.bodies.forEach((body, index) => (bodies[replica + index * count] = body)));
  const verdict = verifyOperations(workload, bodies, target.oracle);
  const latencies = ran.outcomes.flatMap((outcome) => outcome.latenciesMs).sort((a, b) => a - b);
  const { requests, items, throttled, maxConcurrent } = server.counts();
  return {
    mode,
    loads: ran.outcomes.reduce((sum, outcome) => sum + outcome.loads, 0),
    requests,
    itemsSent: items,
    throttled,
    maxConcurrent,
    sharedHits: ran.outcomes.reduce((sum, outcome) => sum + outcome.sharedHits, 0),
    wallMs: ran.wallMs,
    p50Ms: percentile(latencies, 0.5),
    p95Ms: percentile(latencies, 0.95),
    problems: verdict.problems,
    failures: verdict.failures,
  };
}

/** Each replica's share: every `count`th operation, as a load balancer would hand them out. */
function shares(operations: readonly Operation[], count: number): Operation[][] {
  return Array.from({ length: count }, (_, replica) => operations.filter((_, index) => index % count === replica));
}

/** Distinct file references the operations ask for. */
function distinctKeys(workload: Workload, operations: readonly Operation[]): number {
  const keys = new Set<string>();
  for (const operation of operations) {
    for (const assetId of operation.assetIds) for (const ref of workload.assets.get(assetId)?.fileRefs ?? []) keys.add(refKey(ref));
  }
  return keys.size;
}
