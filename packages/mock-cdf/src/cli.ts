import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { RESOURCE_NAMES, type ResourceName } from './resources.js';
import { DEFAULT_PROJECT, DEFAULT_TOKEN, startMockCdf, type MockCdfOptions } from './server.js';

/** Where the CLI writes, and what stops a running server besides SIGINT/SIGTERM. */
export interface CliIo {
  /** Default process.stdout. */
  stdout: { write(text: string): unknown };
  /** Default process.stderr. */
  stderr: { write(text: string): unknown };
  /** Aborting it stops a running server as SIGINT would. Default: none. */
  signal?: AbortSignal;
}

const USAGE = `Usage: mock-cdf [options]

A fake Cognite Data Fusion byids API on HTTP, for tests, demos and benchmarks.

Options:
  --port <n>               TCP port (default 0: an ephemeral port)
  --host <host>            interface to listen on (default 127.0.0.1)
  --project <name>         project served (default ${DEFAULT_PROJECT})
  --token <token>          bearer token accepted (default ${DEFAULT_TOKEN})
  --seed <n>               data seed (default 1)
  --files <n>              files to generate (default 1000)
  --assets <n>             assets (default 200); likewise --events, --timeseries, --sequences
  --latency <ms>           fixed latency per request (default 0)
  --jitter <ms>            extra seeded uniform latency 0..ms (default 0)
  --concurrency-limit <n>  requests served at once; beyond that 429 (default unlimited)
  --rate-limit <n>/<ms>    at most n requests per sliding ms window; beyond that 429 (default none)
  --retry-after <value>    Retry-After header on throttling 429s (default none)
  --shuffle                return items in a seeded shuffled order
  --log-limit <n>          requests kept in the in-memory request log (default 10000)
  --self-check             start a fake, exercise its main behaviours, print a table; exit 0 if all pass
  -h, --help               print this help
`;

class UsageError extends Error {}

function integer(name: string, text: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got '${text}'`);
  return value;
}

function milliseconds(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0) throw new UsageError(`--${name} must be a non-negative number of ms, got '${text}'`);
  return value;
}

function serverOptions(values: Record<string, string | boolean | undefined>): MockCdfOptions {
  const text = (name: string): string | undefined => values[name] as string | undefined;
  const options: MockCdfOptions = {};
  const port = integer('port', text('port'), 0, 65535);
  if (port !== undefined) options.port = port;
  if (text('host') !== undefined) options.host = text('host') as string;
  if (text('project') !== undefined) options.project = text('project') as string;
  if (text('token') !== undefined) options.tokens = { [text('token') as string]: {} };
  const seed = integer('seed', text('seed'), 0, 4294967295);
  if (seed !== undefined) options.seed = seed;
  const counts: Partial<Record<ResourceName, number>> = {};
  for (const resource of RESOURCE_NAMES) {
    const count = integer(resource, text(resource), 0);
    if (count !== undefined) counts[resource] = count;
  }
  options.counts = counts;
  const fixedMs = milliseconds('latency', text('latency'));
  const jitterMs = milliseconds('jitter', text('jitter'));
  options.latency = { ...(fixedMs !== undefined && { fixedMs }), ...(jitterMs !== undefined && { jitterMs }) };
  const concurrencyLimit = integer('concurrency-limit', text('concurrency-limit'), 1);
  if (concurrencyLimit !== undefined) options.concurrencyLimit = concurrencyLimit;
  const rate = text('rate-limit');
  if (rate !== undefined) {
    const [requests, intervalMs] = rate.split('/');
    if (intervalMs === undefined) throw new UsageError(`--rate-limit must look like <requests>/<ms>, got '${rate}'`);
    options.rateLimit = { requests: integer('rate-limit', requests, 1) as number, intervalMs: integer('rate-limit', intervalMs, 1) as number };
  }
  if (text('retry-after') !== undefined) options.retryAfter = text('retry-after') as string;
  if (values.shuffle === true) options.shuffle = true;
  const logLimit = integer('log-limit', text('log-limit'), 0);
  if (logLimit !== undefined) options.logLimit = logLimit;
  return options;
}

/** Resolves when SIGINT, SIGTERM or `signal` asks to stop. */
function stopRequested(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      signal?.removeEventListener('abort', stop);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    if (signal?.aborted) stop();
    else signal?.addEventListener('abort', stop);
  });
}

async function serve(options: MockCdfOptions, io: CliIo): Promise<number> {
  const mock = await startMockCdf(options);
  const counts = RESOURCE_NAMES.map((resource) => `${mock.data[resource].length} ${resource}`).join(', ');
  io.stdout.write(`mock-cdf listening on ${mock.url}\n  project: ${mock.project}\n  token:   ${mock.token}\n  data:    ${counts}\nPress Ctrl+C to stop.\n`);
  await stopRequested(io.signal);
  await mock.close();
  io.stdout.write('mock-cdf stopped\n');
  return 0;
}

interface Check {
  check: string;
  expected: string;
  got: string;
}

interface Reply {
  status: number;
  body: { items?: unknown[]; error?: { missing?: unknown[]; duplicated?: unknown[] } };
  requestId: string | null;
}

async function selfCheck(io: CliIo): Promise<number> {
  const mock = await startMockCdf({ counts: { files: 50, assets: 20, events: 20, timeseries: 20, sequences: 20 } });
  const requestIds: (string | null)[] = [];
  const post = async (body: unknown, token = mock.token): Promise<Reply> => {
    const response = await fetch(`${mock.url}/api/v1/projects/${mock.project}/files/byids`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    requestIds.push(response.headers.get('x-request-id'));
    return { status: response.status, body: (await response.json()) as Reply['body'], requestId: response.headers.get('x-request-id') };
  };
  const checks: Check[] = [];
  const ids = (items: unknown[] | undefined): string => JSON.stringify((items ?? []).map((item) => (item as { id: number }).id));
  try {
    const [first, second, third] = [mock.data.files[0], mock.data.files.find((f) => f !== mock.data.files[0] && f.externalId), mock.data.files.find((f) => f !== mock.data.files[0] && f.instanceId)];
    if (!first || !second?.externalId || !third?.instanceId) throw new Error('generated data lacks an externalId or instanceId');
    const known = [{ id: first.id }, { externalId: second.externalId }, { instanceId: third.instanceId }];
    const unknown = { id: 1 };

    let reply = await post({ items: known });
    checks.push({ check: 'known id, externalId, instanceId', expected: `200 ${ids([first, second, third])}`, got: `${reply.status} ${ids(reply.body.items)}` });
    reply = await post({ items: [known[0], unknown] });
    checks.push({ check: 'unknown id', expected: `400 missing ${JSON.stringify([unknown])}`, got: `${reply.status} missing ${JSON.stringify(reply.body.error?.missing)}` });
    reply = await post({ items: [known[0], unknown], ignoreUnknownIds: true });
    checks.push({ check: 'unknown id, ignoreUnknownIds', expected: `200 ${ids([first])}`, got: `${reply.status} ${ids(reply.body.items)}` });
    reply = await post({ items: [known[0], known[0]] });
    checks.push({ check: 'duplicate id', expected: `400 duplicated ${JSON.stringify([known[0]])}`, got: `${reply.status} duplicated ${JSON.stringify(reply.body.error?.duplicated)}` });

    // A slow body keeps the first request in flight after its headers arrive, so the second is surely over the limit.
    mock.configure({ concurrencyLimit: 1 });
    mock.addFault({ slowBodyMs: 200, times: 1 });
    const slow = await fetch(`${mock.url}/api/v1/projects/${mock.project}/files/byids`, {
      method: 'POST',
      headers: { authorization: `Bearer ${mock.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ items: known }),
    });
    reply = await post({ items: known });
    await slow.arrayBuffer();
    checks.push({ check: 'over the concurrency limit', expected: '429', got: String(reply.status) });
    mock.configure({ concurrencyLimit: Infinity });

    reply = await post({ items: known }, 'not-a-token');
    checks.push({ check: 'unknown token', expected: '401', got: String(reply.status) });
    const unique = new Set(requestIds).size === requestIds.length && requestIds.every((id) => id !== null);
    checks.push({ check: 'unique x-request-id on every answer', expected: 'yes', got: unique ? 'yes' : 'no' });
  } finally {
    await mock.close();
  }
  const rows = [['check', 'expected', 'got', 'ok'], ...checks.map((c) => [c.check, c.expected, c.got, c.expected === c.got ? 'ok' : 'FAIL'])];
  const widths = [0, 1, 2].map((column) => Math.max(...rows.map((row) => (row[column] as string).length)));
  for (const row of rows) io.stdout.write(`${row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd()}\n`);
  const failed = checks.filter((c) => c.expected !== c.got).length;
  io.stdout.write(failed === 0 ? `all ${checks.length} checks passed\n` : `${failed} of ${checks.length} checks failed\n`);
  return failed === 0 ? 0 : 1;
}

/** Runs the `mock-cdf` command with `argv` (without node and script); resolves to the exit code. */
export async function runCli(argv: string[], io: Partial<CliIo> = {}): Promise<number> {
  const fullIo: CliIo = { stdout: io.stdout ?? process.stdout, stderr: io.stderr ?? process.stderr, ...(io.signal && { signal: io.signal }) };
  let values: Record<string, string | boolean | undefined>;
  let options: MockCdfOptions;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: 'boolean', short: 'h' },
        'self-check': { type: 'boolean' },
        shuffle: { type: 'boolean' },
        ...Object.fromEntries(
          ['port', 'host', 'project', 'token', 'seed', ...RESOURCE_NAMES, 'latency', 'jitter', 'concurrency-limit', 'rate-limit', 'retry-after', 'log-limit'].map(
            (name) => [name, { type: 'string' as const }],
          ),
        ),
      },
    }));
    options = serverOptions(values);
  } catch (error) {
    fullIo.stderr.write(`mock-cdf: ${(error as Error).message}\nRun 'mock-cdf --help' for usage.\n`);
    return 2;
  }
  if (values.help === true) {
    fullIo.stdout.write(USAGE);
    return 0;
  }
  return values['self-check'] === true ? selfCheck(fullIo) : serve(options, fullIo);
}

/** True when this module is the process entry, directly or through bin/mock-cdf.js. */
function isEntry(script: string | undefined): boolean {
  if (script === undefined) return false;
  try {
    const path = realpathSync(script);
    return path === fileURLToPath(import.meta.url) || path === fileURLToPath(new URL('../bin/mock-cdf.js', import.meta.url));
  } catch {
    return false;
  }
}

if (isEntry(process.argv[1])) process.exitCode = await runCli(process.argv.slice(2));
