import type { MockTarget, WorkloadSize } from '../config.js';
import { count, describeTarget, listed, renderTable } from '../report.js';
import type { OutageDemoConfig, OutagePhase, OutageReport, OutageRun } from './run-outage.js';

/** What `--outage` is about to run: printed first. */
export function renderOutageHeader({ target, workload, ttlMs, staleIfErrorMs }: { target: MockTarget; workload: WorkloadSize } & Pick<OutageDemoConfig, 'ttlMs' | 'staleIfErrorMs'>): string {
  return [
    `Target:   ${describeTarget(target)}`,
    `Workload: ${count(workload.operations)} GraphQL operations through graphql-yoga (${count(workload.concurrency)} at a time), three times: ` +
      `before, during an outage (the fake answers 503 to every request, from ${count(ttlMs)} ms after the first pass, when every cached entry is past ttlMs), after`,
    `Runs:     cdf-loader with cache { ttlMs: ${count(ttlMs)}, staleIfErrorMs: ${count(staleIfErrorMs)} }, then the same with staleIfErrorMs: 0 (off); retries: 2`,
    '',
  ].join('\n');
}

const PHASE_LABELS: Readonly<Record<OutagePhase['name'], string>> = { before: 'before', outage: 'during the outage', after: 'after (CDF back)' };

/** The table: per phase, operations answered and failed, keys served stale, requests and 503s; then what went wrong, if anything. */
export function renderOutageReport(report: OutageReport): string {
  const columns = report.runs.map(columnName);
  const cell = (run: OutageRun, name: OutagePhase['name'], value: (phase: OutagePhase) => string): string => value(run.phases.find((phase) => phase.name === name)!);
  const rows: string[][] = [];
  for (const name of ['before', 'outage', 'after'] as const) {
    rows.push([`${PHASE_LABELS[name]}: pages answered`, ...report.runs.map((run) => cell(run, name, (phase) => `${count(phase.answered)} of ${count(phase.operations)}`))]);
    rows.push([`${PHASE_LABELS[name]}: pages failed`, ...report.runs.map((run) => cell(run, name, (phase) => count(phase.failed)))]);
    if (name !== 'before') rows.push([`${PHASE_LABELS[name]}: lookups served stale`, ...report.runs.map((run) => cell(run, name, (phase) => count(phase.staleServed)))]);
    rows.push([`${PHASE_LABELS[name]}: requests (503s)`, ...report.runs.map((run) => cell(run, name, (phase) => `${count(phase.requests)} (${count(phase.unavailable)})`))]);
  }
  const lines = [renderTable(['', ...columns], rows), ''];
  lines.push(
    'pages answered: GraphQL operations with no error; a failed page has at least one file lookup that failed.',
    'lookups served stale: keys answered from an entry past ttlMs, each time a request for them met the outage (stats().staleServed).',
    '',
  );
  if (report.ok) lines.push('Every page was answered during the outage with stale-if-error, and every answer was the right file.');
  else lines.push(`Problems (${report.problems.length}):`, ...listed(report.problems, 20));
  return `${lines.join('\n')}\n`;
}

function columnName(run: OutageRun): string {
  return run.staleIfErrorMs > 0 ? `staleIfErrorMs: ${count(run.staleIfErrorMs)}` : 'staleIfErrorMs: 0 (off)';
}
