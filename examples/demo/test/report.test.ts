import { describe, expect, it } from 'vitest';
import { DEFAULT_MOCK_TARGET, type DemoReport, renderHeader, renderReport, renderTable, type StrategyReport, workloadFor } from '../src/index.js';

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
    failures: [],
    ...values,
  };
}

const REPORT: DemoReport = {
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
    expect(renderReport(REPORT)).toBe(`
|                   |   naive | sdk-style | cdf-loader | naive ÷ cdf-loader | sdk-style ÷ cdf-loader |
|-------------------|--------:|----------:|-----------:|-------------------:|-----------------------:|
| loads             |   1,200 |     1,200 |      1,200 |                    |                        |
| unique keys       |     300 |       300 |        300 |                    |                        |
| HTTP requests     |   1,500 |        15 |          1 |             1,500× |                    15× |
| items sent        |   1,500 |       900 |        300 |               5.0× |                   3.0× |
| 429s met          |     300 |         5 |          0 |                  — |                      — |
| wall time         | 12.35 s |    900 ms |      60 ms |               206× |                    15× |
| p50 operation     |  5.00 s |    120 ms |      40 ms |               125× |                   3.0× |
| p95 operation     | 11.00 s |    800 ms |      55 ms |               200× |                    15× |
| cache hit ratio   |   0.0 % |    25.0 % |     75.0 % |                    |                        |
| failed operations |       0 |         0 |          0 |                    |                        |
| correct           |     yes |       yes |        yes |                    |                        |

naive: every File resolver posts its own byids request with one id (N+1), retrying 429s
sdk-style: per operation, collect ids like a DataLoader, then send them all in chunks of 1000 at once, no concurrency limit (@cognite/sdk files.retrieve)
cdf-loader: one shared createCdfLoaders for the run, files.forRequest() per operation
cache hit ratio: share of loads answered without sending their identifier to CDF.
failed operations: operations that got an error instead of a file; correct: every file answered was the right one.

All 30 operations got correct data.
`);
  });

  it('lists what fails the demo, ten at most', () => {
    const problems = Array.from({ length: 12 }, (_, index) => `naive: operation ${index + 1}: wrong`);
    const [naive, sdk, loader] = REPORT.strategies as [StrategyReport, StrategyReport, StrategyReport];
    const text = renderReport({ ...REPORT, strategies: [{ ...naive, problems: problems.map((p) => p.slice(7)) }, sdk, loader], problems, ok: false });
    expect(text).toContain('| correct           | NO (12) |       yes |        yes |');
    expect(text.split('\n').slice(-13).join('\n')).toBe(
      [
        'The demo failed: 12 problems (wrong data, or operations cdf-loader failed).',
        ...problems.slice(0, 10).map((problem) => `  - ${problem}`),
        '  … and 2 more.',
        '',
      ].join('\n'),
    );
  });

  it("shows another strategy's failed operations as a finding about it, not a failure of the demo", () => {
    const failures = Array.from({ length: 5 }, (_, index) => `operation ${index + 1}: GraphQL error at assets.0.files.1: fetch failed`);
    const [naive, sdk, loader] = REPORT.strategies as [StrategyReport, StrategyReport, StrategyReport];
    const text = renderReport({ ...REPORT, strategies: [{ ...naive, failures }, sdk, loader] });
    expect(text).toContain('\n| failed operations |       5 |         0 |          0 |                    |                        |\n');
    expect(text).toContain('\n| correct           |     yes |       yes |        yes |');
    expect(text.split('\n').slice(-7).join('\n')).toBe(
      [
        'naive failed 5 of 10 operations: a finding about that strategy, not a failure of the demo.',
        ...failures.slice(0, 3).map((failure) => `  - ${failure}`),
        '  … and 2 more.',
        'No wrong data in 30 operations, and cdf-loader failed none of its 10.',
        '',
      ].join('\n'),
    );
  });

  it('says first what it is about to run: the fake CDF, or a real project', () => {
    expect(renderHeader({ target: DEFAULT_MOCK_TARGET, workload: workloadFor(120) })).toBe(
      [
        'Target:   fake CDF (@cdf-loader/mock-cdf, in this process): 50,000 files, 20 ms + 0–10 ms latency, 429 beyond 8 concurrent requests',
        'Workload: 120 GraphQL operations through graphql-yoga (60 at a time), 5 assets each with 2–5 file references',
        'Runs:     naive, sdk-style, cdf-loader, one after the other',
        '',
      ].join('\n'),
    );
    const target = { kind: 'cdf', baseUrl: 'https://westeurope-1.cognitedata.com', project: 'my-project', credentials: { kind: 'token', token: 't' }, ids: [1, 2, 2] } as const;
    expect(renderHeader({ target, workload: workloadFor(50) }).split('\n').slice(0, 2)).toEqual([
      "Target:   CDF project 'my-project' at https://westeurope-1.cognitedata.com: 2 file ids",
      'Workload: 50 GraphQL operations through graphql-yoga (25 at a time), 5 assets each with 2–5 file references',
    ]);
  });

  it('pads a markdown table: text left, numbers right', () => {
    expect(renderTable(['', 'a', 'bb'], [['row', '1', '22'], ['long row', '333', '4']])).toBe(
      ['|          |   a | bb |', '|----------|----:|---:|', '| row      |   1 | 22 |', '| long row | 333 |  4 |'].join('\n'),
    );
  });
});
