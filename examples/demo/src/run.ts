import type { DemoConfig } from './config.js';
import { ProgressLine, type ProgressStream } from './progress.js';
import type { DemoReport, StrategyReport } from './report.js';
import { percentile, serveOperations, type ServedOperations, type ServingProgress } from './serve.js';
import { createCdfLoaderStrategy } from './strategies/cdf-loader.js';
import { createNaiveStrategy } from './strategies/naive.js';
import { createSdkStyleStrategy } from './strategies/sdk-style.js';
import { type CdfConnection, STRATEGY_NAMES, type Strategy, type StrategyName } from './strategies/strategy.js';
import { openCdfTarget, openMockTarget, type RunTarget } from './targets.js';
import { compareStrategies, demoProblems, type Verdict, verifyOperations } from './verify.js';
import { WireMeter } from './wire-meter.js';
import { buildWorkload, type Workload } from './workload.js';

/** Where `runDemo` reports progress. */
export interface DemoIo {
  stderr: ProgressStream;
}

const APP_ID = 'cdf-loader-demo';
const STRATEGIES: Readonly<Record<StrategyName, (connection: CdfConnection) => Strategy>> = {
  naive: createNaiveStrategy,
  'sdk-style': createSdkStyleStrategy,
  'cdf-loader': createCdfLoaderStrategy,
};

/**
 * Runs the workload through graphql-yoga with each strategy in turn — against the fake CDF or a
 * real project, as `config` says — checks every answer, and returns what happened. Operations a
 * strategy failed are part of what happened; only wrong data, or an operation cdf-loader failed,
 * makes the report not `ok`.
 */
export async function runDemo(config: DemoConfig, io: DemoIo): Promise<DemoReport> {
  const target = config.target.kind === 'mock' ? await openMockTarget(config.target, config.workload) : await openCdfTarget(config.target);
  try {
    const workload = buildWorkload(target.pool, config.workload);
    const strategies: StrategyReport[] = [];
    const verdicts = new Map<StrategyName, Verdict>();
    for (const name of STRATEGY_NAMES) {
      const { report, verdict } = await runStrategy(name, workload, config.workload.concurrency, target, io);
      strategies.push(report);
      verdicts.set(name, verdict);
    }
    const problems = demoProblems(strategies, target.oracle === undefined ? compareStrategies(verdicts) : []);
    return {
      workload: {
        operations: workload.operations.length,
        concurrency: config.workload.concurrency,
        assetsPerOperation: config.workload.assetsPerOperation,
        loads: workload.loads,
        uniqueKeys: workload.uniqueKeys,
        perOperationKeys: workload.uniqueKeysPerOperation.reduce((sum, keys) => sum + keys, 0),
      },
      strategies,
      problems,
      ok: problems.length === 0,
    };
  } finally {
    await target.close();
  }
}

async function runStrategy(
  name: StrategyName,
  workload: Workload,
  concurrency: number,
  target: RunTarget,
  io: DemoIo,
): Promise<{ report: StrategyReport; verdict: Verdict }> {
  const meter = new WireMeter();
  const strategy = STRATEGIES[name]({ baseUrl: target.baseUrl, project: target.project, getToken: target.getToken, appId: APP_ID, fetch: meter.fetch });
  const { operations } = workload;
  const served: ServingProgress = { finished: 0, loads: 0 };
  target.server?.reset();
  const startedAt = performance.now();
  const progress = new ProgressLine(io.stderr, () => {
    const { requests, throttled } = meter.counts;
    return (
      `${name}: ${served.finished}/${operations.length} operations · ${served.loads.toLocaleString('en-US')} lookups · ` +
      `${requests.toLocaleString('en-US')} requests · ${throttled.toLocaleString('en-US')} × 429 · ${((performance.now() - startedAt) / 1000).toFixed(1)} s`
    );
  });
  let result: ServedOperations;
  try {
    result = await serveOperations(workload.assets, operations, strategy, concurrency, served);
  } finally {
    progress.end();
  }

  const verdict = verifyOperations(workload, result.bodies, target.oracle);
  const server = target.server?.counts();
  const { requests, itemsSent, itemsAnswered, throttled } = meter.counts;
  return {
    verdict,
    report: {
      name,
      operations: operations.length,
      loads: result.loads,
      uniqueKeys: result.keys.size,
      requests,
      itemsSent,
      throttled,
      wallMs: result.wallMs,
      p50Ms: percentile(result.latenciesMs, 0.5),
      p95Ms: percentile(result.latenciesMs, 0.95),
      cacheHitRatio: result.loads === 0 ? 0 : Math.max(0, 1 - itemsAnswered / result.loads),
      problems: verdict.problems,
      failures: verdict.failures,
      ...(server === undefined ? {} : { server }),
    },
  };
}
