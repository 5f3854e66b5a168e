import { parseArgs } from 'node:util';

/** The resources `cdf-loader lookup` knows, by the name CDF's API paths use. */
export const RESOURCE_NAMES = ['files', 'assets', 'events', 'timeseries', 'sequences'] as const;
export type ResourceName = (typeof RESOURCE_NAMES)[number];

/** How results are written. */
export type Format = 'ndjson' | 'csv';
const FORMATS: readonly Format[] = ['ndjson', 'csv'];

/** The most requests in flight `--concurrency` takes: beyond it CDF throttles an identity anyway. */
export const MAX_CONCURRENCY = 64;
const DEFAULT_CONCURRENCY = 4;

export const USAGE = `Usage: cdf-loader lookup <resource> --ids-file <file|-> [--format ndjson|csv] [--out <file>] [--resume]
   or: npx @cdf-loader/cli lookup <resource> --ids-file <file|-> [...]   (the same, without installing @cdf-loader/cli)

Looks up CDF items by identifier in bulk (byids requests of up to 1000, 4 at a time unless
--concurrency says otherwise) and writes one result per identifier, in input order.

Arguments:
  <resource>             files, assets, events, timeseries or sequences
  --ids-file <file|->    the identifiers, one a line: an id (digits) or a JSON identifier such as
                         {"externalId":"pump-1"} or {"instanceId":{"space":"sp","externalId":"doc-1"}};
                         - reads stdin; blank lines are skipped
  --format ndjson|csv    output format (default ndjson)
  --out <file>           write to this file instead of stdout
  --resume               skip identifiers already in --out and append the others (needs --out)
  --concurrency <n>      byids requests in flight at once, 1 to ${MAX_CONCURRENCY} (default 4); fewer when CDF
                         answers 429
  -h, --help             print this help

Environment:
  CDF_BASE_URL           the cluster, such as https://westeurope-1.cognitedata.com
  CDF_PROJECT            the project
  CDF_TOKEN              a bearer token; or OAuth client credentials instead:
  CDF_TOKEN_URL, CDF_CLIENT_ID, CDF_CLIENT_SECRET, CDF_SCOPES (default <CDF_BASE_URL>/.default)

Output, one line per identifier:
  ndjson  {"identifier":{"id":1},"item":{…}}       found
          {"identifier":{"id":2},"item":null}      not found
          {"identifier":…,"error":{"name":…,"message":…,"status":…}}
  csv     identifier,status,id,externalId,name,error,item   (status: found, not_found or error;
          identifier and item as JSON)

A progress bar with rate and ETA goes to stderr when it is a terminal, and a summary line at the end.
Exit codes: 0 every identifier found; 3 some not found (listed in the summary); 1 failures;
2 bad usage; 130 interrupted (run again with --resume to go on).
`;

/** A command line that cannot be run, with the message to show: exit code 2. */
export class UsageError extends Error {}

/** `cdf-loader lookup …` as parsed. */
export interface LookupCommand {
  run: 'lookup';
  resource: ResourceName;
  /** A path, or `-` for stdin. */
  idsFile: string;
  format: Format;
  /** A path; stdout when absent. */
  out: string | undefined;
  resume: boolean;
  /** byids requests in flight at once. */
  concurrency: number;
}

export type CliCommand = { run: 'help' } | LookupCommand;

/**
 * Reads `argv` (without node and script).
 * @throws {UsageError} saying what is wrong and what is allowed.
 */
export function parseCliArgs(argv: readonly string[]): CliCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: true,
      options: {
        'ids-file': { type: 'string' },
        format: { type: 'string' },
        out: { type: 'string' },
        resume: { type: 'boolean' },
        concurrency: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help === true) return { run: 'help' };
  const [command, resource, ...extra] = positionals;
  if (command === undefined) throw new UsageError('Missing the command: cdf-loader lookup <resource> --ids-file <file|->');
  if (command !== 'lookup') throw new UsageError(`Unknown command '${command}'; the command is 'lookup'`);
  if (resource === undefined) throw new UsageError(`Missing the resource: one of ${RESOURCE_NAMES.join(', ')}`);
  if (!isResourceName(resource)) throw new UsageError(`Unknown resource '${resource}'; one of ${RESOURCE_NAMES.join(', ')}`);
  if (extra.length > 0) throw new UsageError(`Unexpected argument '${extra[0]}'`);
  const idsFile = values['ids-file'];
  if (idsFile === undefined || idsFile === '') throw new UsageError('Missing --ids-file <file>, or --ids-file - to read stdin');
  const format = values.format ?? 'ndjson';
  if (!isFormat(format)) throw new UsageError(`--format must be ndjson or csv, got '${format}'`);
  const resume = values.resume === true;
  if (resume && values.out === undefined) throw new UsageError('--resume needs --out <file>: it skips the identifiers already in that file');
  if (values.out === '') throw new UsageError('--out needs a file name');
  const concurrency = concurrencyOf(values.concurrency);
  return { run: 'lookup', resource, idsFile, format, out: values.out, resume, concurrency };
}

function concurrencyOf(text: string | undefined): number {
  if (text === undefined) return DEFAULT_CONCURRENCY;
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(value >= 1 && value <= MAX_CONCURRENCY)) throw new UsageError(`--concurrency must be a whole number of requests from 1 to ${MAX_CONCURRENCY}, got '${text}'`);
  return value;
}

function isResourceName(name: string): name is ResourceName {
  return (RESOURCE_NAMES as readonly string[]).includes(name);
}

function isFormat(name: string): name is Format {
  return (FORMATS as readonly string[]).includes(name);
}
