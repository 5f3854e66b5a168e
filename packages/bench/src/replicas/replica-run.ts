import { randomUUID } from 'node:crypto';
import { addOutcome, emptyOutcome, type Outcome } from '../contenders/contender.js';
import type { FakeCdf, FakeCdfCounters } from '../fake/fake-cdf.js';
import { fakeTarget } from '../harness/http-run.js';
import { percentile } from '../harness/stats.js';
import type { Burst } from '../workload.js';
import type { ReplicaFleet } from './fleet.js';
import type { BenchRedis } from './redis-server.js';
import type { ReplicaResult, ReplicaSetup, SharedRedis } from './replica.js';
import type { ReplicaHost } from './replica-host.js';

/** What the replicas of one run share through Redis, beside its URL, whether it is a cluster, and a fresh key prefix. */
export type Sharing = Omit<SharedRedis, 'url' | 'cluster' | 'keyPrefix'>;

/** One run of some replicas: how many, what each may do, and what they share. */
export interface ReplicaRun {
  replicas: number;
  /** Each replica's own limit (`maxConcurrency`). */
  maxConcurrency: number;
  /** `undefined`: every replica on its own, with its local cache and limit only. */
  sharing: Sharing | undefined;
}

/** What one run of replicas measured. */
export interface ReplicaRunSample {
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

/**
 * Runs replicas once: fresh loaders in the first `run.replicas` of the fleet, each serving its share
 * of the operations, the fake's counters zeroed first; with `run.sharing`, all under fresh Redis keys.
 */
export async function runReplicas(fake: FakeCdf, fleet: ReplicaFleet, run: ReplicaRun, bursts: readonly Burst[], redis: BenchRedis | undefined): Promise<ReplicaRunSample> {
  const hosts = fleet.hosts.slice(0, run.replicas);
  const shared = run.sharing !== undefined && redis !== undefined ? { ...run.sharing, url: redis.url, cluster: redis.cluster, keyPrefix: `cdf-loader-bench:${randomUUID()}:` } : undefined;
  await prepareReplicas(fake, hosts, { maxConcurrency: run.maxConcurrency, redis: shared }, bursts);
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

/** Prepares `hosts` for one run, each with `setup` and its share of the bursts, then zeroes the fake's counters. */
export async function prepareReplicas(
  fake: FakeCdf,
  hosts: readonly ReplicaHost[],
  setup: Omit<ReplicaSetup, 'target' | 'bursts'>,
  bursts: readonly Burst[],
): Promise<void> {
  await Promise.all(hosts.map((host, index) => host.prepare({ ...setup, target: fakeTarget(fake), bursts: shareOf(bursts, index, hosts.length) })));
  await fake.reset();
}

/** Replica `index`'s share of the bursts: every `count`th operation, counted across bursts, at the same times. */
export function shareOf(bursts: readonly Burst[], index: number, count: number): Burst[] {
  let position = 0;
  return bursts.map((burst) => ({ after: burst.after, operations: burst.operations.filter(() => position++ % count === index) }));
}
