import { count, describeTarget, duration, listed, renderTable } from '../report.js';
import type { ReplicaRunReport, ReplicasDemoConfig, ReplicasReport } from './run-replicas.js';

const MAX_SHOWN = 3;

/** Where and what the replicas demo is about to run: printed first, before anything starts. */
export function renderReplicasHeader({ target, workload, replicas }: ReplicasDemoConfig): string {
  const [minFiles, maxFiles] = workload.filesPerAsset;
  const redis = replicas.redisUrl === undefined ? 'a private redis-server on a free port, started for the run (REDIS_URL is not set)' : 'REDIS_URL';
  return [
    `Target:   ${describeTarget(target)} for the whole project`,
    `Workload: ${count(workload.operations)} GraphQL operations through graphql-yoga (${count(workload.concurrency)} at a time), ` +
      `${workload.assetsPerOperation} assets each with ${minFiles}–${maxFiles} file references, spread over ${replicas.count} replica processes`,
    `Runs:     ${replicas.count} replicas with cdf-loader (maxConcurrency 4 each), on their own; then sharing Redis through @cdf-loader/redis ` +
      `(redisCache, and redisConcurrency with limit ${target.concurrencyLimit})`,
    `Redis:    ${redis}`,
    '',
  ].join('\n');
}

interface Row {
  label: string;
  value: (run: ReplicaRunReport) => number;
  format: (n: number) => string;
  /** Show how many times the sharing run's value the other is. */
  ratio: boolean;
}

const ROWS: readonly Row[] = [
  { label: 'loads', value: (run) => run.loads, format: count, ratio: false },
  { label: 'HTTP requests', value: (run) => run.requests, format: count, ratio: true },
  { label: 'identifiers sent', value: (run) => run.itemsSent, format: count, ratio: true },
  { label: '429s met', value: (run) => run.throttled, format: count, ratio: true },
  { label: 'most in flight', value: (run) => run.maxConcurrent, format: count, ratio: false },
  { label: 'shared hits', value: (run) => run.sharedHits, format: count, ratio: false },
  { label: 'wall time', value: (run) => run.wallMs, format: duration, ratio: true },
  { label: 'p50 operation', value: (run) => run.p50Ms, format: duration, ratio: true },
  { label: 'p95 operation', value: (run) => run.p95Ms, format: duration, ratio: true },
  { label: 'failed operations', value: (run) => run.failures.length, format: count, ratio: false },
];

/** `a / b` as `2.4×`; `—` when b is 0. */
function ratio(a: number, b: number): string {
  return b === 0 ? '—' : `${(a / b).toFixed(1)}×`;
}

/** The two runs side by side, what the rows mean, the findings, and the verdict. */
export function renderReplicasReport(report: ReplicasReport): string {
  const [own, shared] = report.runs;
  const header = ['', ...report.runs.map((run) => run.mode), own !== undefined && shared !== undefined ? `${own.mode} ÷ ${shared.mode}` : ''];
  const rows = ROWS.map((row) => [
    row.label,
    ...report.runs.map((run) => row.format(row.value(run))),
    row.ratio && own !== undefined && shared !== undefined ? ratio(row.value(own), row.value(shared)) : '',
  ]);
  rows.push(['correct', ...report.runs.map((run) => (run.problems.length === 0 ? 'yes' : `NO (${count(run.problems.length)})`)), '']);

  const lines = [
    '',
    renderTable(header, rows),
    '',
    `on their own: each replica has its own cache and its own limit of 4: together up to ${count(report.replicas * 4)} requests against a project that serves ${report.projectLimit}.`,
    `sharing Redis: a file one replica fetched is a hit for all (shared hits), and all replicas together hold at most ${report.projectLimit} requests in flight.`,
    `${count(report.workload.operations)} operations over ${count(report.workload.uniqueKeys)} distinct file references, ` +
      `${count(report.workload.perReplicaKeys)} when counted per replica (what replicas on their own send at least).`,
    `Requests, identifiers sent, 429s and most in flight are as the fake counted them. Redis: ${report.redis}.`,
    '',
  ];
  for (const run of report.runs.filter((candidate) => candidate.mode === 'on their own' && candidate.failures.length > 0)) {
    lines.push(`Replicas ${run.mode} failed ${count(run.failures.length)} operations under the 429s they met: a finding about that setup, not a failure of the demo.`);
    lines.push(...listed(run.failures, MAX_SHOWN));
  }
  const operations = report.workload.operations * report.runs.length;
  if (!report.ok) {
    lines.push(`The demo failed: ${count(report.problems.length)} problems (wrong data, or operations failed while sharing Redis).`);
    lines.push(...listed(report.problems, 10));
  } else if (report.runs.every((run) => run.failures.length === 0)) {
    lines.push(`All ${count(operations)} operations got correct data.`);
  } else {
    lines.push(`No wrong data in ${count(operations)} operations, and none failed while sharing Redis.`);
  }
  return `${lines.join('\n')}\n`;
}
