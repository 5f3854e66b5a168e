import { describe, expect, it } from 'vitest';
import { DEFAULT_MOCK_TARGET, type OutageDemoConfig, parseCommandLine, renderOutageReport, runOutageDemo, workloadFor } from '../src/index.js';

/** A small workload, a fake with little latency, entries past their TTL 50 ms after the warm-up. */
const SMALL: OutageDemoConfig = {
  target: { kind: 'mock', files: 2_000, latency: { fixedMs: 2, jitterMs: 2 }, concurrencyLimit: 8 },
  workload: { ...workloadFor(24), assets: 60, hotFiles: 200, unknownShare: 0.05, assetsPerOperation: 4 },
  ttlMs: 50,
  staleIfErrorMs: 60_000,
};

describe('`--outage`: configuration', () => {
  it('is a flag, against the fake only, not with --replicas', async () => {
    expect(await parseCommandLine(['--outage'], {})).toEqual({ kind: 'run', config: { target: DEFAULT_MOCK_TARGET, workload: workloadFor(120), outage: true } });
    expect(await parseCommandLine(['--outage', '--operations', '8'], {})).toMatchObject({ config: { workload: { operations: 8 }, outage: true } });
    expect(await parseCommandLine(['--outage', '--replicas', '2'], {})).toEqual({ kind: 'error', message: 'Give either --outage or --replicas, not both.' });
    expect(await parseCommandLine(['--outage', '--ids', '1'], { CDF_BASE_URL: 'https://x.cognitedata.com', CDF_PROJECT: 'p', CDF_TOKEN: 't' })).toEqual({
      kind: 'error',
      message: '--outage takes the built-in fake CDF down mid-run: unset the CDF_* variables.',
    });
  });
});

describe('`--outage`: the run', () => {
  it('with stale-if-error every page is answered during the outage, right; without it every page fails; after it all are answered again', async () => {
    const report = await runOutageDemo(SMALL);

    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    const [withGrace, without] = report.runs;
    expect(withGrace!.staleIfErrorMs).toBe(60_000);
    expect(without!.staleIfErrorMs).toBe(0);
    const operations = SMALL.workload.operations;
    for (const run of [withGrace!, without!]) {
      expect(run.phases.map((phase) => phase.name)).toEqual(['before', 'outage', 'after']);
      const [before, outage, after] = run.phases;
      expect(before).toMatchObject({ answered: operations, failed: 0, unavailable: 0, staleServed: 0, problems: [] });
      expect(after).toMatchObject({ answered: operations, failed: 0, unavailable: 0, staleServed: 0, problems: [] });
      // Every request of the outage met it: its first attempt and its two retries.
      expect(outage!.requests).toBeGreaterThan(0);
      expect(outage!.unavailable).toBe(outage!.requests);
      expect(outage!.requests % 3).toBe(0);
    }
    expect(withGrace!.phases[1]).toMatchObject({ answered: operations, failed: 0, problems: [] });
    expect(withGrace!.phases[1]!.staleServed).toBeGreaterThan(0);
    expect(without!.phases[1]).toMatchObject({ failed: operations, answered: 0, staleServed: 0, problems: [] });

    const text = renderOutageReport(report);
    expect(text).toMatch(/during the outage: pages answered +\| +24 of 24 \| +0 of 24 \|/);
    expect(text).toContain('Every page was answered during the outage with stale-if-error, and every answer was the right file.');
  });

  it('a report with problems lists them', () => {
    const phase = { name: 'outage' as const, operations: 2, answered: 1, failed: 1, staleServed: 0, requests: 3, unavailable: 3, problems: [] };
    const text = renderOutageReport({ runs: [{ staleIfErrorMs: 1_000, phases: [{ ...phase, name: 'before' }, phase, { ...phase, name: 'after' }] }], problems: ['staleIfErrorMs 1000, outage: 1 operations failed'], ok: false });
    expect(text).toContain('Problems (1):\n  - staleIfErrorMs 1000, outage: 1 operations failed');
  });
});
