import { describe, expect, it } from 'vitest';
import { type DemoConfig, runDemo, type StrategyReport, workloadFor } from '../src/index.js';
import { capture } from './support.js';

const SMALL = { ...workloadFor(24), assets: 60, hotFiles: 200, unknownShare: 0.05, assetsPerOperation: 4 };

function config(concurrencyLimit: number): DemoConfig {
  return { target: { kind: 'mock', files: 2_000, latency: { fixedMs: 2, jitterMs: 2 }, concurrencyLimit }, workload: SMALL };
}

function byName(strategies: StrategyReport[]): Record<string, StrategyReport> {
  return Object.fromEntries(strategies.map((strategy) => [strategy.name, strategy]));
}

describe('the workload against the fake CDF', () => {
  it('gets every answer right with each strategy, and counts exactly what was sent', async () => {
    const stderr = capture();
    const report = await runDemo(config(Number.POSITIVE_INFINITY), { stderr });
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    const { workload } = report;
    expect(workload).toMatchObject({ operations: 24, concurrency: 12, assetsPerOperation: 4 });
    const { naive, 'sdk-style': sdk, 'cdf-loader': loader } = byName(report.strategies);
    for (const strategy of [naive, sdk, loader]) {
      expect(strategy).toMatchObject({ operations: 24, loads: workload.loads, uniqueKeys: workload.uniqueKeys, throttled: 0, problems: [] });
      // The client's counts are the fake's own.
      expect(strategy?.server).toMatchObject({ requests: strategy?.requests, items: strategy?.itemsSent, throttled: 0 });
    }
    // N+1: one request per lookup.
    expect(naive).toMatchObject({ requests: workload.loads, itemsSent: workload.loads, cacheHitRatio: 0 });
    // One request per operation, each with that operation's distinct references.
    expect(sdk).toMatchObject({ requests: 24, itemsSent: workload.perOperationKeys });
    // Every distinct reference sent once, in a handful of requests.
    expect(loader?.itemsSent).toBe(workload.uniqueKeys);
    expect(loader?.requests).toBeGreaterThanOrEqual(1);
    expect(loader?.requests).toBeLessThanOrEqual(6);
    expect(loader?.cacheHitRatio).toBeCloseTo(1 - workload.uniqueKeys / workload.loads, 10);
    expect(workload.uniqueKeys).toBeLessThan(workload.perOperationKeys);
    expect(workload.perOperationKeys).toBeLessThan(workload.loads);
    expect(stderr.text()).toMatch(/^cdf-loader: 24\/24 operations · [\d,]+ lookups · \d+ requests · 0 × 429 · [\d.]+ s$/m);
  });

  it('gets through a concurrency limit that answers 429, and still gets every answer right', async () => {
    const report = await runDemo({ ...config(2), workload: { ...SMALL, operations: 12, concurrency: 6 } }, { stderr: capture() });
    expect(report.problems).toEqual([]);
    const { naive, 'sdk-style': sdk, 'cdf-loader': loader } = byName(report.strategies);
    expect(naive?.throttled).toBeGreaterThan(0);
    expect(naive?.requests).toBe(report.workload.loads + (naive?.throttled ?? 0));
    for (const strategy of [naive, sdk, loader]) {
      expect(strategy?.server).toMatchObject({ requests: strategy?.requests, items: strategy?.itemsSent, throttled: strategy?.throttled });
    }
    expect(naive?.server?.maxConcurrent).toBe(2);
    expect(loader?.requests).toBeLessThan((naive?.requests ?? 0) / 20);
    expect(loader?.requests).toBeLessThan(sdk?.requests ?? 0);
  });

  it('redraws the progress line in place on a terminal', async () => {
    const stderr = capture(true);
    await runDemo({ ...config(Number.POSITIVE_INFINITY), workload: { ...SMALL, operations: 4, concurrency: 2 } }, { stderr });
    const lines = stderr.text().split('\n');
    expect(lines).toHaveLength(4); // one per strategy, and the empty rest
    for (const line of lines.slice(0, 3)) {
      expect(line.startsWith('\r')).toBe(true);
      const last = line.split('\r').at(-1) ?? '';
      expect(last).toMatch(/^[a-z-]+: 4\/4 operations /);
      expect(last.endsWith('\u001b[K')).toBe(true);
    }
  });
});
