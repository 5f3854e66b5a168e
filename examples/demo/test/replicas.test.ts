import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MOCK_TARGET, EXIT, parseCommandLine, runCli, workloadFor } from '../src/index.js';
import { openRedis } from '../src/replicas/redis-server.js';
import { type ReplicasDemoConfig, runReplicasDemo } from '../src/replicas/run-replicas.js';
import { capture } from './support.js';

// REDIS_URL, or a redis-server the demo starts itself; without either these tests are skipped
// (or fail, with CDF_LOADER_REQUIRE_REDIS=1, as in CI).
const redisUrl = process.env.REDIS_URL === '' ? undefined : process.env.REDIS_URL;
const hasRedis = redisUrl !== undefined || spawnSync('redis-server', ['--version']).status === 0;
if (!hasRedis) {
  const reason = 'the replicas demo tests need REDIS_URL or redis-server on PATH';
  if (process.env.CDF_LOADER_REQUIRE_REDIS === '1') throw new Error(`${reason} (CDF_LOADER_REQUIRE_REDIS=1).`);
  console.warn(`Skipped: ${reason}.`);
}

/** 3 replicas over a small workload, against a fake that serves 2 requests at once for the project. */
const SMALL: ReplicasDemoConfig = {
  target: { kind: 'mock', files: 2_000, latency: { fixedMs: 5, jitterMs: 5 }, concurrencyLimit: 2 },
  workload: { ...workloadFor(24), assets: 60, hotFiles: 200, unknownShare: 0.05, assetsPerOperation: 4 },
  replicas: { count: 3, redisUrl },
};

describe('`--replicas`: configuration', () => {
  it('takes a count of replicas and REDIS_URL, against the fake only', async () => {
    expect(await parseCommandLine(['--replicas', '4'], { REDIS_URL: 'redis://cache:6379' })).toEqual({
      kind: 'run',
      config: { target: DEFAULT_MOCK_TARGET, workload: workloadFor(120), replicas: { count: 4, redisUrl: 'redis://cache:6379' } },
    });
    expect(await parseCommandLine(['--replicas=2', '--operations', '8'], { REDIS_URL: '' })).toMatchObject({
      config: { workload: { operations: 8 }, replicas: { count: 2, redisUrl: undefined } },
    });
  });

  it('says what to fix: a count out of range, a real project, a REDIS_URL that is no redis:// URL (without showing it)', async () => {
    const messageOf = async (argv: string[], env: Record<string, string> = {}) => {
      const parsed = await parseCommandLine(argv, env);
      return parsed.kind === 'error' ? parsed.message : `not an error: ${parsed.kind}`;
    };
    expect(await messageOf(['--replicas', '1'])).toBe("--replicas must be an integer from 2 to 16, got '1'.");
    expect(await messageOf(['--replicas', 'four'])).toBe("--replicas must be an integer from 2 to 16, got 'four'.");
    expect(await messageOf(['--replicas', '4', '--ids', '1'], { CDF_BASE_URL: 'https://x.cognitedata.com', CDF_PROJECT: 'p', CDF_TOKEN: 't' })).toBe(
      '--replicas runs against the built-in fake CDF, whose project-wide concurrency limit it measures: unset the CDF_* variables.',
    );
    expect(await messageOf(['--replicas', '4'], { REDIS_URL: 'http://user:secret@cache:6379' })).toBe(
      'REDIS_URL must be a redis:// or rediss:// URL, such as redis://localhost:6379; unset it to let the demo start a private redis-server.',
    );
  });

  it('without Redis: the header first, then how to get one, and exit code 2', async () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    const [stdout, stderr] = [capture(), capture()];
    try {
      expect(await runCli(['--replicas', '4'], {}, { stdout, stderr })).toBe(EXIT.usage);
    } finally {
      process.env.PATH = path;
    }
    expect(stdout.text()).toMatch(/^Target: {3}fake CDF .*\nWorkload: .* spread over 4 replica processes\nRuns: .*\nRedis: {4}a private redis-server on a free port/);
    expect(stderr.text()).toMatch(/^No Redis to share: REDIS_URL is not set, and redis-server could not start \(.*ENOENT.*\)\. Set REDIS_URL \(such as REDIS_URL=redis:\/\/localhost:6379\), or install Redis/);
  });
});

describe.skipIf(!hasRedis)('`--replicas`: the run', () => {
  it('every answer right both ways; sharing Redis, the replicas keep within the project’s limit and send no more than on their own', async () => {
    const redis = await openRedis(redisUrl);
    if (typeof redis === 'string') throw new Error(redis);
    const stderr = capture();
    let report: Awaited<ReturnType<typeof runReplicasDemo>>;
    try {
      report = await runReplicasDemo(SMALL, redis, { stderr });
    } finally {
      await redis.stop();
    }

    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    const { workload } = report;
    expect(workload.operations).toBe(24);
    expect(workload.uniqueKeys).toBeLessThan(workload.perReplicaKeys);
    const [own, shared] = report.runs;
    expect(own).toMatchObject({ mode: 'on their own', loads: workload.loads, sharedHits: 0, problems: [], failures: [] });
    expect(shared).toMatchObject({ mode: 'sharing Redis', loads: workload.loads, throttled: 0, problems: [], failures: [] });
    // On their own, each replica sends each of its distinct references at least once (more when a 429 made it retry).
    expect(own!.itemsSent).toBeGreaterThanOrEqual(workload.perReplicaKeys);
    // Sharing, a reference is sent at most once per replica (no 429 to retry), and what Redis answered is not sent at all.
    expect(shared!.itemsSent).toBeGreaterThanOrEqual(workload.uniqueKeys);
    expect(shared!.itemsSent).toBeLessThanOrEqual(workload.perReplicaKeys - shared!.sharedHits);
    expect(shared!.maxConcurrent).toBeLessThanOrEqual(2);
    expect(stderr.text()).toMatch(/^3 replicas sharing Redis: \d+ requests · 0 × 429 · [\d.]+ s$/m);
  });

  it('`pnpm demo --replicas 3`: the header first, the two runs side by side, exit code 0', async () => {
    const [stdout, stderr] = [capture(), capture()];
    const env = redisUrl === undefined ? {} : { REDIS_URL: redisUrl };
    expect(await runCli(['--replicas', '3', '--operations', '12'], env, { stdout, stderr })).toBe(EXIT.ok);
    const text = stdout.text();
    expect(text).toMatch(/^Target: {3}fake CDF .*429 beyond 8 concurrent requests for the whole project\n/);
    expect(text).toContain('| identifiers sent  |');
    expect(text).toMatch(/\| +\| on their own \| sharing Redis \| on their own ÷ sharing Redis \|/);
    expect(text).toMatch(/\nAll 24 operations got correct data\.\n$/);
  });
});
