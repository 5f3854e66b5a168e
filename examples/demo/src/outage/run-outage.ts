import type { MockTarget, WorkloadSize } from '../config.js';
import { serveOperations } from '../serve.js';
import { createCdfLoaderStrategy } from '../strategies/cdf-loader.js';
import { openMockTarget, type RunTarget } from '../targets.js';
import { verifyOperations } from '../verify.js';
import { buildWorkload, type Workload } from '../workload.js';

/** What `pnpm demo --outage` runs: the fake, the workload, and the cache times that make the point. */
export interface OutageDemoConfig {
  target: MockTarget;
  workload: WorkloadSize;
  /** `cache.ttlMs`: the run waits this long after warming up, so every entry is past it when the outage starts. */
  ttlMs: number;
  /** `cache.staleIfErrorMs` of the run that serves stale (the other runs with 0). */
  staleIfErrorMs: number;
}

/** `--outage`'s cache times: entries expire a second after the warm-up, and are kept a minute more. */
export const OUTAGE_CACHE = { ttlMs: 1_000, staleIfErrorMs: 60_000 } as const;
/** Retries in the outage runs: quick, so an operation meets the outage in about half a second, not the default's seconds. */
const QUICK_RETRY = { limit: 2, baseDelayMs: 100, maxDelayMs: 400 };

/** One phase of a run: the same operations, with CDF up, down or back. */
export interface OutagePhase {
  name: 'before' | 'outage' | 'after';
  operations: number;
  /** Operations answered in full (no GraphQL error). */
  answered: number;
  /** Operations with a lookup that failed. */
  failed: number;
  /** Keys answered from a stale entry (`stats().staleServed`) in this phase. */
  staleServed: number;
  /** byids requests sent in this phase, and how many the fake answered with 503. */
  requests: number;
  unavailable: number;
  /** Wrong answers (a file other than the one CDF holds): must be none, stale or not. */
  problems: string[];
}

/** One run of the three phases, with or without stale-if-error. */
export interface OutageRun {
  staleIfErrorMs: number;
  phases: OutagePhase[];
}

export interface OutageReport {
  runs: OutageRun[];
  /** What makes the demo fail: a wrong answer, or an operation the stale-if-error run failed during the outage. */
  problems: string[];
  ok: boolean;
}

/**
 * Runs cdf-loader through three phases, twice (with `staleIfErrorMs` and without): the workload
 * against the fake (warming the cache), then — once every entry is past `ttlMs` — the same
 * operations with the fake answering 503 to every request, then again with it back up.
 */
export async function runOutageDemo(config: OutageDemoConfig): Promise<OutageReport> {
  const target = await openMockTarget(config.target, config.workload);
  try {
    const workload = buildWorkload(target.pool, config.workload);
    const runs: OutageRun[] = [];
    for (const staleIfErrorMs of [config.staleIfErrorMs, 0]) runs.push(await runPhases(target, workload, config, staleIfErrorMs));
    const problems = runs.flatMap((run) =>
      run.phases.flatMap((phase) => [
        ...phase.problems.map((problem) => `staleIfErrorMs ${run.staleIfErrorMs}, ${phase.name}: ${problem}`),
        ...(run.staleIfErrorMs > 0 && phase.failed > 0 ? [`staleIfErrorMs ${run.staleIfErrorMs}, ${phase.name}: ${phase.failed} operations failed`] : []),
      ]),
    );
    return { runs, problems, ok: problems.length === 0 };
  } finally {
    await target.close();
  }
}

async function runPhases(target: RunTarget, workload: Workload, config: OutageDemoConfig, staleIfErrorMs: number): Promise<OutageRun> {
  const server = target.server!;
  server.reset();
  let unavailable = 0;
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const response = await globalThis.fetch(input, init);
    if (response.status === 503) unavailable++;
    return response;
  };
  const connection = { baseUrl: target.baseUrl, project: target.project, getToken: target.getToken, appId: 'cdf-loader-demo-outage', fetch };
  const strategy = createCdfLoaderStrategy(connection, { cache: { ttlMs: config.ttlMs, staleIfErrorMs }, retry: QUICK_RETRY });
  const phase = async (name: OutagePhase['name']): Promise<OutagePhase> => {
    const before = { requests: server.counts().requests, stale: strategy.loaders.files.stats().staleServed, unavailable };
    const served = await serveOperations(workload.assets, workload.operations, strategy, config.workload.concurrency);
    const verdict = verifyOperations(workload, served.bodies, target.oracle);
    return {
      name,
      operations: workload.operations.length,
      answered: workload.operations.length - verdict.failures.length,
      failed: verdict.failures.length,
      staleServed: strategy.loaders.files.stats().staleServed - before.stale,
      requests: server.counts().requests - before.requests,
      unavailable: unavailable - before.unavailable,
      problems: verdict.problems,
    };
  };
  try {
    const phases = [await phase('before')];
    // Every entry stored so far is past `ttlMs` once this much has gone by since the last was stored.
    await new Promise((resolve) => setTimeout(resolve, config.ttlMs + 5));
    server.down();
    phases.push(await phase('outage'));
    server.up();
    phases.push(await phase('after'));
    return { staleIfErrorMs, phases };
  } finally {
    server.up();
    await strategy.loaders.close();
  }
}
