import type { DemoConfig } from './config.js';
import { REFERENCE_STRATEGY, STRATEGY_NAMES, STRATEGY_SUMMARIES, type StrategyName } from './strategies/strategy.js';
import type { ServerCounts } from './targets.js';

/** What one strategy did, measured on the client (and, against the fake, on the server). */
export interface StrategyReport {
  name: StrategyName;
  operations: number;
  /** File lookups the resolvers made. */
  loads: number;
  /** Distinct file references among the loads. */
  uniqueKeys: number;
  /** byids HTTP requests sent, retries included. */
  requests: number;
  /** Identifiers in those requests, retries included. */
  itemsSent: number;
  /** 429 answers met. */
  throttled: number;
  /** Start of the first operation to the end of the last, in ms. */
  wallMs: number;
  /** Median and 95th percentile of one operation's time, in ms. */
  p50Ms: number;
  p95Ms: number;
  /** Share of loads answered without their identifier being sent (a cache, a memo, or a request already on its way). */
  cacheHitRatio: number;
  /** What was wrong with this strategy's answers; empty when every answer it gave was right. */
  problems: string[];
  /** One line per operation that got an error instead of a file (a lookup that failed), such as a retry limit met or a connection refused. */
  failures: string[];
  /** Against the fake: what it counted itself. */
  server?: ServerCounts;
}

/** Everything `runDemo` found out, for `renderReport` and for tests. */
export interface DemoReport {
  workload: {
    operations: number;
    concurrency: number;
    assetsPerOperation: number;
    loads: number;
    uniqueKeys: number;
    /** Distinct references summed per operation: what a per-operation batcher has to send at least. */
    perOperationKeys: number;
  };
  strategies: StrategyReport[];
  /** What fails the demo: each strategy's wrong data and cdf-loader's failed operations, prefixed with the name, and disagreements between strategies. */
  problems: string[];
  /** True when no strategy answered wrong data and cdf-loader failed no operation: the exit code is 0. */
  ok: boolean;
}

const MAX_PROBLEMS_SHOWN = 10;
const MAX_FAILURES_SHOWN = 3;

/** 1234 → '1,234'. */
export const count = (n: number): string => n.toLocaleString('en-US');
/** 812 → '812 ms'; 1234 → '1.23 s'. */
export const duration = (ms: number): string => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`);
const percent = (ratio: number): string => `${(ratio * 100).toFixed(1)} %`;

interface Row {
  label: string;
  value: (strategy: StrategyReport) => number;
  format: (n: number) => string;
  /** Show how many times the reference's value the others are. */
  ratio: boolean;
}

const ROWS: readonly Row[] = [
  { label: 'loads', value: (s) => s.loads, format: count, ratio: false },
  { label: 'unique keys', value: (s) => s.uniqueKeys, format: count, ratio: false },
  { label: 'HTTP requests', value: (s) => s.requests, format: count, ratio: true },
  { label: 'items sent', value: (s) => s.itemsSent, format: count, ratio: true },
  { label: '429s met', value: (s) => s.throttled, format: count, ratio: true },
  { label: 'wall time', value: (s) => s.wallMs, format: duration, ratio: true },
  { label: 'p50 operation', value: (s) => s.p50Ms, format: duration, ratio: true },
  { label: 'p95 operation', value: (s) => s.p95Ms, format: duration, ratio: true },
  { label: 'cache hit ratio', value: (s) => s.cacheHitRatio, format: percent, ratio: false },
  { label: 'failed operations', value: (s) => s.failures.length, format: count, ratio: false },
];

/** `a / b` as `12×` or `1.5×`; `—` when b is 0. */
function ratio(a: number, b: number): string {
  if (b === 0) return '—';
  const r = a / b;
  return r >= 10 ? `${count(Math.round(r))}×` : `${r.toFixed(1)}×`;
}

/** A markdown table with padded columns: readable in a terminal and pasteable into a README. */
export function renderTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join(' | ')} |`;
  const rule = `|${widths.map((width, column) => (column === 0 ? `-${'-'.repeat(width)}-` : `-${'-'.repeat(width)}:`)).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/** Where and what the demo is about to run: printed first, before anything starts. */
export function renderHeader({ target, workload }: DemoConfig): string {
  const [minFiles, maxFiles] = workload.filesPerAsset;
  return [
    `Target:   ${describeTarget(target)}`,
    `Workload: ${count(workload.operations)} GraphQL operations through graphql-yoga (${count(workload.concurrency)} at a time), ` +
      `${workload.assetsPerOperation} assets each with ${minFiles}–${maxFiles} file references`,
    `Runs:     ${STRATEGY_NAMES.join(', ')}, one after the other`,
    '',
  ].join('\n');
}

/** The target in one line, for the header. */
export function describeTarget(target: DemoConfig['target']): string {
  return target.kind === 'mock'
    ? `fake CDF (@cdf-loader/mock-cdf, in this process): ${count(target.files)} files, ${target.latency.fixedMs} ms + 0–${target.latency.jitterMs} ms latency, ` +
        `429 beyond ${target.concurrencyLimit} concurrent requests`
    : `CDF project '${target.project}' at ${target.baseUrl}: ${count(new Set(target.ids).size)} file ids`;
}

/** The outcome as text: the table with the ratios to cdf-loader, the findings about the other strategies, and the verdict. */
export function renderReport(report: DemoReport): string {
  const { strategies, workload } = report;
  const reference = strategies.find((strategy) => strategy.name === REFERENCE_STRATEGY);
  const others = reference === undefined ? [] : strategies.filter((strategy) => strategy !== reference);
  const header = ['', ...strategies.map((strategy) => strategy.name), ...others.map((other) => `${other.name} ÷ ${REFERENCE_STRATEGY}`)];
  const rows = ROWS.map((row) => [
    row.label,
    ...strategies.map((strategy) => row.format(row.value(strategy))),
    ...others.map((other) => (row.ratio && reference !== undefined ? ratio(row.value(other), row.value(reference)) : '')),
  ]);
  rows.push(['correct', ...strategies.map((strategy) => (strategy.problems.length === 0 ? 'yes' : `NO (${count(strategy.problems.length)})`)), ...others.map(() => '')]);

  const lines = [
    '',
    renderTable(header, rows),
    '',
    ...strategies.map((strategy) => `${strategy.name}: ${STRATEGY_SUMMARIES[strategy.name]}`),
    'cache hit ratio: share of loads answered without sending their identifier to CDF.',
    'failed operations: operations that got an error instead of a file; correct: every file answered was the right one.',
    '',
  ];
  for (const strategy of others.filter((other) => other.failures.length > 0)) {
    lines.push(`${strategy.name} failed ${count(strategy.failures.length)} of ${count(strategy.operations)} operations: a finding about that strategy, not a failure of the demo.`);
    lines.push(...listed(strategy.failures, MAX_FAILURES_SHOWN));
  }
  if (!report.ok) {
    lines.push(`The demo failed: ${count(report.problems.length)} problems (wrong data, or operations cdf-loader failed).`);
    lines.push(...listed(report.problems, MAX_PROBLEMS_SHOWN));
  } else if (strategies.every((strategy) => strategy.failures.length === 0)) {
    lines.push(`All ${count(workload.operations * strategies.length)} operations got correct data.`);
  } else {
    lines.push(`No wrong data in ${count(workload.operations * strategies.length)} operations, and ${REFERENCE_STRATEGY} failed none of its ${count(workload.operations)}.`);
  }
  return `${lines.join('\n')}\n`;
}

/** The first `max` entries as a list, and how many more there are. */
export function listed(entries: readonly string[], max: number): string[] {
  const shown = entries.slice(0, max).map((entry) => `  - ${entry}`);
  return entries.length > max ? [...shown, `  … and ${count(entries.length - max)} more.`] : shown;
}
