import { type MockCdf, startMockCdf } from '@cdf-loader/mock-cdf';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EXIT, runCli } from '../src/index.js';
import { capture, startTokenServer } from './support.js';

const SECRET = 'cc-secret-d41d8cd98f00';
const TOKENS = Array.from({ length: 40 }, (_, index) => `access-token-${index + 1}`);

let fake: MockCdf | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function startFake(latencyMs: number): Promise<MockCdf> {
  fake = await startMockCdf({ counts: { files: 500 }, latency: { fixedMs: latencyMs }, tokens: Object.fromEntries(TOKENS.map((token) => [token, {}])) });
  return fake;
}

function clientEnv(cdf: MockCdf, tokenUrl: string): Record<string, string> {
  return { CDF_BASE_URL: cdf.url, CDF_PROJECT: cdf.project, CDF_TOKEN_URL: tokenUrl, CDF_CLIENT_ID: 'demo-client', CDF_CLIENT_SECRET: SECRET, CDF_SCOPES: 'user_impersonation' };
}

async function run(argv: string[], env: Record<string, string>) {
  const stdout = capture();
  const stderr = capture();
  const code = await runCli(argv, env, { stdout, stderr });
  const output = stdout.text() + stderr.text();
  expect(output).not.toContain(SECRET);
  for (const token of TOKENS) expect(output).not.toContain(token);
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

describe('a real CDF project (the fake behind CDF_BASE_URL)', () => {
  it('gets a token with client credentials, loads the ids three ways and finds the strategies agree', async () => {
    const cdf = await startFake(1);
    const tokens = await startTokenServer((n) => ({ status: 200, body: { access_token: TOKENS[n - 1], token_type: 'Bearer', expires_in: 3600 } }));
    const ids = [...cdf.data.files.slice(0, 30).map((file) => file.id), 7];
    const { code, stdout } = await run(['--ids', ids.join(','), '--operations', '10'], clientEnv(cdf, tokens.url));

    expect(code).toBe(EXIT.ok);
    expect(stdout).toContain(`Target:   CDF project '${cdf.project}' at ${cdf.url}: 31 file ids`);
    expect(stdout).toMatch(/^\| HTTP requests +\| +[\d,]+ \| +\d+ \| +\d+ \|/m);
    expect(stdout).toContain('All 30 operations got correct data.');
    expect(tokens.requests).toHaveLength(1);
    expect(tokens.requests[0]?.contentType).toMatch(/^application\/x-www-form-urlencoded/);
    expect(tokens.requests[0]?.form).toEqual({ grant_type: 'client_credentials', client_id: 'demo-client', client_secret: SECRET, scope: 'user_impersonation' });
    expect(cdf.log.length).toBeGreaterThan(0);
    expect(cdf.log.every((entry) => entry.status === 200 && entry.token === TOKENS[0] && entry.headers['x-cdp-app'] === 'cdf-loader-demo')).toBe(true);
  });

  it('refreshes a short-lived token before it expires', async () => {
    // 900 ms per request: the run lasts well past the refresh point, 2.7 s in (a tenth of the
    // lifetime before expiry). The 300 ms left before expiry is what a request sent just before the
    // refresh point has to reach the fake; at 100 ms a busy machine's event loop missed it.
    const cdf = await startFake(900);
    const issued: number[] = [];
    const tokens = await startTokenServer((n) => {
      issued.push(performance.now());
      return { status: 200, body: { access_token: TOKENS[n - 1], expires_in: 3 } };
    });
    const ids = cdf.data.files.slice(0, 40).map((file) => file.id);
    const { code } = await run(['--ids', ids.join(','), '--operations', '12'], clientEnv(cdf, tokens.url));

    expect(code).toBe(EXIT.ok);
    expect(tokens.requests.length).toBeGreaterThanOrEqual(2);
    for (const entry of cdf.log) {
      const index = TOKENS.indexOf(entry.token ?? '');
      expect(index).toBeGreaterThanOrEqual(0);
      // The loader keeps its token until CDF refuses it, then asks with `refused`: the fake never refuses.
      if (entry.headers['x-cdp-sdk']?.startsWith('cdf-loader:') !== true) expect(entry.startedAt).toBeLessThan((issued[index] ?? 0) + 3_000);
    }
  });

  it('takes a plain CDF_TOKEN and --ids-file', async () => {
    const cdf = await startFake(0);
    const path = join(await mkdtemp(join(tmpdir(), 'demo-ids-')), 'ids.json');
    await writeFile(path, JSON.stringify(cdf.data.files.slice(0, 5).map((file) => file.id)));
    const { code, stdout } = await run(['--ids-file', path, '--operations', '4'], {
      CDF_BASE_URL: cdf.url,
      CDF_PROJECT: cdf.project,
      CDF_TOKEN: TOKENS[0] as string,
    });
    expect(code).toBe(EXIT.ok);
    expect(stdout).toContain('All 12 operations got correct data.');
  });

  it('fails with the token endpoint\'s answer, and never prints the secret', async () => {
    const cdf = await startFake(0);
    const tokens = await startTokenServer(() => ({ status: 401, body: { error: 'invalid_client', error_description: `AADSTS7000215: Invalid client secret ${SECRET}` } }));
    const { code, stdout, stderr } = await run(['--ids', '1'], clientEnv(cdf, tokens.url));
    expect(code).toBe(EXIT.failed);
    // What it was about to run comes first, before the token is asked for.
    expect(stdout.split('\n')[0]).toBe(`Target:   CDF project '${cdf.project}' at ${cdf.url}: 1 file ids`);
    expect(stderr).toBe(
      `The demo failed: Identity provider refused the client credentials grant: 401 invalid_client: AADSTS7000215: Invalid client secret *** (${tokens.url}). ` +
        'Check CDF_TOKEN_URL, CDF_CLIENT_ID, CDF_CLIENT_SECRET and CDF_SCOPES.\n',
    );
    expect(cdf.log).toHaveLength(0);
  });

  it("fails when cdf-loader fails its loads, and lists them; the other strategies' failures are findings", async () => {
    const cdf = await startFake(0);
    const { code, stdout } = await run(['--ids', String(cdf.data.files[0]?.id), '--operations', '2'], {
      CDF_BASE_URL: cdf.url,
      CDF_PROJECT: cdf.project,
      CDF_TOKEN: 'not-a-token-the-fake-knows',
    });
    expect(code).toBe(EXIT.failed);
    expect(stdout).toMatch(/^\| failed operations +\| +2 \| +2 \| +2 \|/m);
    expect(stdout).toMatch(/^\| correct +\| +yes \| +yes \| +yes \|/m);
    expect(stdout).toContain(
      `naive failed 2 of 2 operations: a finding about that strategy, not a failure of the demo.\n` +
        `  - operation 1: GraphQL error at assets.0.files.0: POST ${cdf.url}/api/v1/projects/${cdf.project}/files/byids answered 401: `,
    );
    expect(stdout).toContain('The demo failed: 2 problems (wrong data, or operations cdf-loader failed).\n  - cdf-loader: operation 1: GraphQL error at assets.0.files.0: ');
    expect(stdout).toMatch(/^\| cache hit ratio +\| +0\.0 % \| +80\.0 % \|/m);
    expect(stdout).not.toContain('not-a-token-the-fake-knows');
  });

  it('counts an operation whose naive request lost its connection as a failed operation of that strategy, and still exits 0', async () => {
    const cdf = await startFake(0);
    // The naive strategy runs first: its 2nd request loses its connection, and it retries 429s only.
    cdf.addFault({ request: 2, drop: true });
    const ids = cdf.data.files.slice(0, 20).map((file) => file.id);
    const { code, stdout } = await run(['--ids', ids.join(','), '--operations', '6'], { CDF_BASE_URL: cdf.url, CDF_PROJECT: cdf.project, CDF_TOKEN: TOKENS[0] as string });

    expect(code).toBe(EXIT.ok);
    expect(stdout).toMatch(/^\| failed operations +\| +1 \| +0 \| +0 \|/m);
    expect(stdout).toMatch(/^\| correct +\| +yes \| +yes \| +yes \|/m);
    expect(stdout).toMatch(
      new RegExp(`^naive failed 1 of 6 operations: a finding about that strategy, not a failure of the demo\\.\n  - operation \\d: GraphQL error at assets\\.\\d\\.files\\.\\d: POST ${cdf.url}/api/v1/projects/${cdf.project}/files/byids got no answer: fetch failed \\(.+\\)`, 'm'),
    );
    expect(stdout).toContain('No wrong data in 18 operations, and cdf-loader failed none of its 6.');
    expect(cdf.counters.dropped).toBe(1);
  });

  it('exits 2 with the message for a configuration to fix', async () => {
    const { code, stdout, stderr } = await run([], { CDF_BASE_URL: 'https://api.cognitedata.com', CDF_TOKEN: 'secret-token' });
    expect(code).toBe(EXIT.usage);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      'Running against a real CDF project needs CDF_BASE_URL, CDF_PROJECT and a token (CDF_TOKEN, or CDF_TOKEN_URL, CDF_CLIENT_ID and CDF_CLIENT_SECRET); ' +
        'missing: CDF_PROJECT. Set them, or unset every CDF_* variable to run against the built-in fake CDF.\n',
    );
  });
});
