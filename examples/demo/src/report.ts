import { STRATEGY_SUMMARIES, type StrategyName } from './strategies/strategy.js';
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
  /** What was wrong with this strategy's answers; empty when every operation was right. */
  problems: string[];
  /** Against the fake: what it counted itself. */
  server?: ServerCounts;
}

/** Everything `runDemo` found out, for `renderReport` and for tests. */
export interface DemoReport {
  /** Where the requests went. */
  target: string;
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
  /** Every problem: each strategy's, prefixed with its name, and disagreements between them. */
  problems: string[];
  /** True when every operation of every strategy got correct data. */
  ok: boolean;
}

const MAX_PROBLEMS_SHOWN = 10;
const REFERENCE: StrategyName = 'cdf-loader';

const count = (n: number): string => n.toLocaleString('en-US');
const duration = (ms: number): string => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`);
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

/** The report as text: where and what ran, the table with the ratios to cdf-loader, and the verdict. */
export function renderReport(report: DemoReport): string {
  const { strategies, workload } = report;
  const reference = strategies.find((strategy) => strategy.name === REFERENCE);
  const others = reference === undefined ? [] : strategies.filter((strategy) => strategy !== reference);
  const header = ['', ...strategies.map((strategy) => strategy.name), ...others.map((other) => `${other.name} ÷ ${REFERENCE}`)];
  const rows = ROWS.map((row) => [
    row.label,
    ...strategies.map((strategy) => row.format(row.value(strategy))),
    ...others.map((other) => (row.ratio && reference !== undefined ? ratio(row.value(other), row.value(reference)) : '')),
  ]);
  rows.push(['correct', ...strategies.map((strategy) => (strategy.problems.length === 0 ? 'yes' : `NO (${count(strategy.problems.length)})`)), ...others.map(() => '')]);

  const lines = [
    `Target:   ${report.target}`,
    `Workload: ${count(workload.operations)} GraphQL operations through graphql-yoga (${count(workload.concurrency)} at a time), ` +
      `${workload.assetsPerOperation} assets each → ${count(workload.loads)} file lookups over ${count(workload.uniqueKeys)} distinct references`,
    '',
    renderTable(header, rows),
    '',
    ...strategies.map((strategy) => `${strategy.name}: ${STRATEGY_SUMMARIES[strategy.name]}`),
    'cache hit ratio: share of loads answered without sending their identifier to CDF.',
    '',
  ];
  if (report.ok) {
    lines.push(`All ${count(workload.operations * strategies.length)} operations got correct data.`);
  } else {
    lines.push(`Wrong data: ${count(report.problems.length)} problems.`);
    lines.push(...report.problems.slice(0, MAX_PROBLEMS_SHOWN).map((problem) => `  - ${problem}`));
    if (report.problems.length > MAX_PROBLEMS_SHOWN) lines.push(`  … and ${count(report.problems.length - MAX_PROBLEMS_SHOWN)} more.`);
  }
  return `${lines.join('\n')}\n`;
}
