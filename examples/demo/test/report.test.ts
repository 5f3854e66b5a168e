import { describe, expect, it } from 'vitest';
import { type DemoReport, renderReport, renderTable, type StrategyReport } from '../src/index.js';

function strategy(name: StrategyReport['name'], values: Partial<StrategyReport>): StrategyReport {
  return {
    name,
    operations: 10,
    loads: 1_200,
    uniqueKeys: 300,
    requests: 0,
    itemsSent: 0,
    throttled: 0,
    wallMs: 0,
    p50Ms: 0,
    p95Ms: 0,
    cacheHitRatio: 0,
    problems: [],
    ...values,
  };
}

const REPORT: DemoReport = {
  target: 'fake CDF at http://127.0.0.1:1234: 2,000 files, 2 ms + 0–2 ms latency, 429 beyond 4 concurrent requests',
  workload: { operations: 10, concurrency: 5, assetsPerOperation: 4, loads: 1_200, uniqueKeys: 300, perOperationKeys: 900 },
  strategies: [
    strategy('naive', { requests: 1_500, itemsSent: 1_500, throttled: 300, wallMs: 12_345, p50Ms: 5_000, p95Ms: 11_000 }),
    strategy('sdk-style', { requests: 15, itemsSent: 900, throttled: 5, wallMs: 900.4, p50Ms: 120, p95Ms: 800, cacheHitRatio: 0.25 }),
    strategy('cdf-loader', { requests: 1, itemsSent: 300, wallMs: 60, p50Ms: 40, p95Ms: 55, cacheHitRatio: 0.75 }),
  ],
  problems: [],
  ok: true,
};

describe('the report', () => {
  it('renders the table with the ratios to cdf-loader', () => {
    expect(renderReport(REPORT)).toBe(`Target:   fake CDF at http://127.0.0.1:1234: 2,000 files, 2 ms + 0–2 ms latency, 429 beyond 4 concurrent requests
Workload: 10 GraphQL operations through graphql-yoga (5 at a time), 4 assets each → 1,200 file lookups over 300 distinct references

|                 |   naive | sdk-style | cdf-loader | naive ÷ cdf-loader | sdk-style ÷ cdf-loader |
|-----------------|--------:|----------:|-----------:|-------------------:|-----------------------:|
| loads           |   1,200 |     1,200 |      1,200 |                    |                        |
| unique keys     |     300 |       300 |        300 |                    |                        |
| HTTP requests   |   1,500 |        15 |          1 |             1,500× |                    15× |
| items sent      |   1,500 |       900 |        300 |               5.0× |                   3.0× |
| 429s met        |     300 |         5 |          0 |                  — |                      — |
| wall time       | 12.35 s |    900 ms |      60 ms |               206× |                    15× |
| p50 operation   |  5.00 s |    120 ms |      40 ms |               125× |                   3.0× |
| p95 operation   | 11.00 s |    800 ms |      55 ms |               200× |                    15× |
| cache hit ratio |   0.0 % |    25.0 % |     75.0 % |                    |                        |
| correct         |     yes |       yes |        yes |                    |                        |

naive: every File resolver posts its own byids request with one id (N+1), retrying 429s
sdk-style: per operation, collect ids like a DataLoader, then send them all in chunks of 1000 at once, no concurrency limit (@cognite/sdk files.retrieve)
cdf-loader: one shared createCdfLoaders for the run, files.forRequest() per operation
cache hit ratio: share of loads answered without sending their identifier to CDF.

All 30 operations got correct data.
`);
  });

  it('lists what was wrong, ten at most', () => {
    const problems = Array.from({ length: 12 }, (_, index) => `naive: operation ${index + 1}: wrong`);
    const [naive, sdk, loader] = REPORT.strategies as [StrategyReport, StrategyReport, StrategyReport];
    const text = renderReport({ ...REPORT, strategies: [{ ...naive, problems: problems.map((p) => p.slice(7)) }, sdk, loader], problems, ok: false });
    expect(text).toContain('| correct         | NO (12) |       yes |        yes |');
    expect(text.split('\n').slice(-13).join('\n')).toBe(
      ['Wrong data: 12 problems.', ...problems.slice(0, 10).map((problem) => `  - ${problem}`), '  … and 2 more.', ''].join('\n'),
    );
  });

  it('pads a markdown table: text left, numbers right', () => {
    expect(renderTable(['', 'a', 'bb'], [['row', '1', '22'], ['long row', '333', '4']])).toBe(
      ['|          |   a | bb |', '|----------|----:|---:|', '| row      |   1 | 22 |', '| long row | 333 |  4 |'].join('\n'),
    );
  });
});
