import { createYoga } from 'graphql-yoga';
import type { DemoConfig } from './config.js';
import { ProgressLine, type ProgressStream } from './progress.js';
import type { DemoReport, StrategyReport } from './report.js';
import { ASSET_FILES_QUERY, createAssetSchema, type OperationContext } from './schema.js';
import { createCdfLoaderStrategy } from './strategies/cdf-loader.js';
import { createNaiveStrategy } from './strategies/naive.js';
import { createSdkStyleStrategy } from './strategies/sdk-style.js';
import { type CdfConnection, STRATEGY_NAMES, type Strategy, type StrategyName } from './strategies/strategy.js';
import { openCdfTarget, openMockTarget, type RunTarget } from './targets.js';
import { compareStrategies, demoProblems, type Verdict, verifyOperations } from './verify.js';
import { WireMeter } from './wire-meter.js';
import { buildWorkload, refKey, type Workload } from './workload.js';

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
  const keys = new Set<string>();
  let loads = 0;
  const yoga = createYoga<object, OperationContext>({
    schema: createAssetSchema(workload.assets),
    context: () => ({
      files: strategy.forOperation(),
      onLoad: (ref) => {
        loads++;
        keys.add(refKey(ref));
      },
    }),
    logging: false,
    maskedErrors: false,
  });

  const { operations } = workload;
  const bodies: unknown[] = new Array(operations.length);
  const latencies: number[] = [];
  target.server?.reset();
  const startedAt = performance.now();
  const progress = new ProgressLine(io.stderr, () => {
    const { requests, throttled } = meter.counts;
    return (
      `${name}: ${latencies.length}/${operations.length} operations · ${loads.toLocaleString('en-US')} lookups · ` +
      `${requests.toLocaleString('en-US')} requests · ${throttled.toLocaleString('en-US')} × 429 · ${((performance.now() - startedAt) / 1000).toFixed(1)} s`
    );
  });
  let next = 0;
  const client = async (): Promise<void> => {
    while (next < operations.length) {
      const index = next++;
      const operationStart = performance.now();
      const response = await yoga.fetch('http://demo/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: ASSET_FILES_QUERY, variables: { ids: operations[index]?.assetIds } }),
      });
      bodies[index] = await response.json();
      latencies.push(performance.now() - operationStart);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, operations.length) }, client));
  } finally {
    progress.end();
  }
  const wallMs = performance.now() - startedAt;

  const verdict = verifyOperations(workload, bodies, target.oracle);
  const server = target.server?.counts();
  const { requests, itemsSent, itemsAnswered, throttled } = meter.counts;
  latencies.sort((a, b) => a - b);
  return {
    verdict,
    report: {
      name,
      operations: operations.length,
      loads,
      uniqueKeys: keys.size,
      requests,
      itemsSent,
      throttled,
      wallMs,
      p50Ms: percentile(latencies, 0.5),
      p95Ms: percentile(latencies, 0.95),
      cacheHitRatio: loads === 0 ? 0 : Math.max(0, 1 - itemsAnswered / loads),
      problems: verdict.problems,
      failures: verdict.failures,
      ...(server === undefined ? {} : { server }),
    },
  };
}

/** Nearest-rank percentile of ascending `sorted`; 0 when empty. */
function percentile(sorted: readonly number[], p: number): number {
  return sorted.length === 0 ? 0 : (sorted[Math.ceil(p * sorted.length) - 1] ?? 0);
}
