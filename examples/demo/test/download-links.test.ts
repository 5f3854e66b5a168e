import { describe, expect, it } from 'vitest';
import { DEFAULT_MOCK_TARGET, parseCommandLine, renderLinksReport, runCli, runLinksDemo } from '../src/index.js';

/** The fake with the demo's 429 limit and no latency, so the test is quick. */
const QUICK = { ...DEFAULT_MOCK_TARGET, files: 1_000, latency: { fixedMs: 0, jitterMs: 0 } };

describe('--links: what a page of download URLs costs', () => {
  it('a request per resolver, one refused request with every id, ceil(page / 100) with cdf-loader, none for the page again', async () => {
    const report = await runLinksDemo(250, QUICK);
    const [perResolver, everyId, loader, again] = report.rows;
    expect(perResolver).toMatchObject({ links: 250, refused: undefined });
    // Each resolver's request, plus every retry of the ones throttled beyond 8 in flight.
    expect(perResolver!.requests).toBe(250 + perResolver!.throttled);
    expect(everyId).toMatchObject({ requests: 1, throttled: 0, links: 0 });
    expect(everyId!.refused).toBe(
      'answered 400: {"error":{"code":400,"message":"Request had 1 constraint violations. Please fix the request and try again. [items size must be between 1 and 100]"}}',
    );
    expect(loader).toMatchObject({ requests: 3, throttled: 0, links: 250, refused: undefined });
    expect(again).toMatchObject({ requests: 0, throttled: 0, links: 250 });

    const text = renderLinksReport(report);
    expect(text).toContain('Download URLs for a page of 250 files: POST files/downloadlink, at most 100 identifiers a request, links valid 30 s');
    expect(text).toMatch(/\| cdf-loader fileLinks\s+\|\s+3 \|\s+0 \|\s+250 \|/);
    expect(text).toMatch(/\| one request with every id \(@cognite\/sdk getDownloadUrls\)\s+\|\s+1 \|\s+0 \|\s+refused \|/);
    expect(text).toContain('one request with every id (@cognite/sdk getDownloadUrls): answered 400:');
  });

  it('a page of at most 100 goes in one request either way', async () => {
    const report = await runLinksDemo(60, QUICK);
    expect(report.rows.map((row) => [row.requests - row.throttled, row.links])).toEqual([
      [60, 60],
      [1, 60],
      [1, 60],
      [0, 60],
    ]);
  });

  it('is asked for with --links N, against the fake only, and not with --replicas', async () => {
    expect(await parseCommandLine(['--links', '250'], {})).toMatchObject({ kind: 'run', config: { links: { pageSize: 250 } } });
    expect(await parseCommandLine(['--links', '0'], {})).toEqual({ kind: 'error', message: "--links must be an integer from 1 to 10000, got '0'." });
    expect(await parseCommandLine(['--links', '5', '--replicas', '2'], {})).toEqual({ kind: 'error', message: 'Give either --replicas or --links, not both.' });
    expect(await parseCommandLine(['--links', '5'], { CDF_BASE_URL: 'https://api.cognitedata.com', CDF_PROJECT: 'p', CDF_TOKEN: 't' })).toEqual({
      kind: 'error',
      message: '--links runs against the built-in fake CDF, whose project-wide concurrency limit it measures: unset the CDF_* variables.',
    });
  });

  it('the CLI prints the table and exits 0', async () => {
    let stdout = '';
    const code = await runCli(['--links', '20'], {}, { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: () => true, isTTY: false } as never });
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Download URLs for a page of 20 files/);
    expect(stdout).toMatch(/\| cdf-loader fileLinks\s+\|\s+1 \|/);
  });
});
