import { parseArgs } from 'node:util';
import { DEFAULT_LOG_LIMIT, DEFAULT_PROJECT, DEFAULT_TOKEN, type MockCdfOptions } from './options.js';
import { RESOURCE_NAMES, type ResourceName } from './resources.js';

export const USAGE = `Usage: mock-cdf [options]

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
  --log-limit <n>          requests kept in the in-memory request log (default ${DEFAULT_LOG_LIMIT})
  --self-check             start a fake, exercise its main behaviours, print a table; exit 0 if all pass
  -h, --help               print this help
`;

/** What the command line asks for. */
export type CliCommand = { run: 'help' } | { run: 'self-check' } | { run: 'serve'; options: MockCdfOptions };

/** A command line that cannot be run, with the message to show. */
class UsageError extends Error {}

const VALUE_FLAGS = ['port', 'host', 'project', 'token', 'seed', ...RESOURCE_NAMES, 'latency', 'jitter', 'concurrency-limit', 'rate-limit', 'retry-after', 'log-limit'];

type FlagValues = Record<string, string | boolean | undefined>;

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

function serverOptions(values: FlagValues): MockCdfOptions {
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

/** Reads `argv` (without node and script); throws a UsageError, or parseArgs' error, with the message to show. */
export function parseCliArgs(argv: string[]): CliCommand {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      help: { type: 'boolean', short: 'h' },
      'self-check': { type: 'boolean' },
      shuffle: { type: 'boolean' },
      ...Object.fromEntries(VALUE_FLAGS.map((name) => [name, { type: 'string' as const }])),
    },
  });
  // Checked whatever runs, so that a bad flag is reported even next to --help.
  const options = serverOptions(values);
  if (values.help === true) return { run: 'help' };
  return values['self-check'] === true ? { run: 'self-check' } : { run: 'serve', options };
}
