import { readFile } from 'node:fs/promises';

/** How big the GraphQL workload is. */
export interface WorkloadSize {
  /** GraphQL operations run in total. */
  operations: number;
  /** Operations in flight at once; the rest start as earlier ones finish. */
  concurrency: number;
  /** Assets in the in-memory catalogue the operations ask for. */
  assets: number;
  /** Assets each operation asks for. */
  assetsPerOperation: number;
  /** Least and most file references per asset. */
  filesPerAsset: readonly [min: number, max: number];
  /** Fake CDF only: distinct files the assets reference (the hot set operations share). */
  hotFiles: number;
  /** Fake CDF only: share of references to files that do not exist (deleted files), 0..1. */
  unknownShare: number;
  /** Seeds the catalogue and the operations, so runs are comparable. */
  seed: number;
}

/** The built-in fake CDF the demo starts when no `CDF_*` variable is set. */
export interface MockTarget {
  kind: 'mock';
  /** Files the fake serves. */
  files: number;
  /** Added to every byids answer: fixed plus uniform 0..jitter, in ms. */
  latency: { fixedMs: number; jitterMs: number };
  /** Requests the fake serves at once; one more answers 429. */
  concurrencyLimit: number;
}

/** How the demo gets a token for a real CDF project. */
export type Credentials =
  | { kind: 'token'; token: string }
  | { kind: 'client-credentials'; tokenUrl: string; clientId: string; clientSecret: string; scopes: string };

/** A real CDF project, and the file ids to look up in it. */
export interface CdfTarget {
  kind: 'cdf';
  baseUrl: string;
  project: string;
  credentials: Credentials;
  ids: readonly number[];
}

/** `--replicas`: the workload from several replica processes, on their own and sharing Redis. */
export interface ReplicasConfig {
  /** Replica processes, each serving its share of the operations. */
  count: number;
  /** `REDIS_URL`; `undefined`: start a private redis-server. */
  redisUrl: string | undefined;
}

/** Everything `runDemo` needs. */
export interface DemoConfig {
  target: MockTarget | CdfTarget;
  workload: WorkloadSize;
  /** Set by `--replicas`: run the replicas demo instead (against the fake only). */
  replicas?: ReplicasConfig;
  /** Set by `--outage`: run the outage demo instead (against the fake only). */
  outage?: true;
  /** Set by `--links N`: what a page of N download URLs costs, instead (against the fake only). */
  links?: { pageSize: number };
}

/** What the command line asked for: a run, the help text, or a message saying what to fix. */
export type ParsedCommandLine = { kind: 'run'; config: DemoConfig } | { kind: 'help' } | { kind: 'error'; message: string };

/** The fake CDF of `pnpm demo`: a cluster's latency and a concurrency limit answering 429. */
export const DEFAULT_MOCK_TARGET: MockTarget = {
  kind: 'mock',
  files: 50_000,
  latency: { fixedMs: 20, jitterMs: 10 },
  concurrencyLimit: 8,
};

/** Operations run against the fake unless `--operations` says otherwise. */
export const DEFAULT_MOCK_OPERATIONS = 120;
/** Operations run against a real project unless `--operations` says otherwise: gentler, as the naive strategy sends one request per lookup. */
export const DEFAULT_CDF_OPERATIONS = 50;
const MAX_OPERATIONS = 10_000;
export const MAX_REPLICAS = 16;
const MAX_LINKS_PAGE = 10_000;
const MAX_ID = Number.MAX_SAFE_INTEGER;

/**
 * The workload for `operations` operations: half of them in flight at once, so the second half
 * meets what the first half left in the caches.
 */
export function workloadFor(operations: number): WorkloadSize {
  return {
    operations,
    concurrency: Math.ceil(operations / 2),
    assets: 2_000,
    assetsPerOperation: 5,
    filesPerAsset: [2, 5],
    hotFiles: 5_000,
    unknownShare: 0.01,
    seed: 1,
  };
}

const VALUE_OPTIONS = {
  '--ids': 'a list of file ids, such as --ids 1,2,3',
  '--ids-file': 'a path, such as --ids-file ids.txt',
  '--operations': 'a number, such as --operations 50',
  '--replicas': 'a number of replica processes, such as --replicas 4',
  '--links': 'a page size, such as --links 250',
} as const;
type ValueOption = keyof typeof VALUE_OPTIONS;
/** Options without a value; present or not. */
const FLAGS = ['--outage'] as const;
type ParsedOptions = Partial<Record<ValueOption | (typeof FLAGS)[number], string>>;

const CLIENT_CREDENTIAL_VARS = ['CDF_TOKEN_URL', 'CDF_CLIENT_ID', 'CDF_CLIENT_SECRET', 'CDF_SCOPES'] as const;
const CDF_VARS = ['CDF_BASE_URL', 'CDF_PROJECT', 'CDF_TOKEN', ...CLIENT_CREDENTIAL_VARS] as const;
const ID_RULE = `an integer from 1 to ${MAX_ID}`;
const TOKEN_HINT = 'a token (CDF_TOKEN, or CDF_TOKEN_URL, CDF_CLIENT_ID and CDF_CLIENT_SECRET)';

class ConfigError extends Error {}

/**
 * Reads the command line and the `CDF_*` environment variables into a config, or a message
 * saying what is wrong and what to set. Never puts a token or a secret in a message.
 */
export async function parseCommandLine(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): Promise<ParsedCommandLine> {
  try {
    const options = parseArgs(argv);
    if (options === 'help') return { kind: 'help' };
    return { kind: 'run', config: await buildConfig(options, env) };
  } catch (error) {
    if (error instanceof ConfigError) return { kind: 'error', message: error.message };
    throw error;
  }
}

function parseArgs(argv: readonly string[]): ParsedOptions | 'help' {
  const options: ParsedOptions = {};
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index] as string;
    if (arg === '--help' || arg === '-h') return 'help';
    // `pnpm demo -- --ids 1` passes the separator on.
    if (arg === '--') continue;
    if ((FLAGS as readonly string[]).includes(arg)) {
      options[arg as (typeof FLAGS)[number]] = 'yes';
      continue;
    }
    const equals = arg.indexOf('=');
    const name = equals === -1 ? arg : arg.slice(0, equals);
    if (!isValueOption(name)) {
      throw new ConfigError(
        arg.startsWith('-')
          ? `Unknown option '${name}'. Run with --help to see the options.`
          : `Unexpected argument '${arg}'. Run with --help to see the options.`,
      );
    }
    const value = equals === -1 ? argv[++index] : arg.slice(equals + 1);
    if (value === undefined || value === '' || (equals === -1 && value.startsWith('--'))) {
      throw new ConfigError(`${name} needs ${VALUE_OPTIONS[name]}.`);
    }
    if (options[name] !== undefined) throw new ConfigError(`${name} is given twice; give it once.`);
    options[name] = value;
  }
  return options;
}

function isValueOption(name: string): name is ValueOption {
  return Object.hasOwn(VALUE_OPTIONS, name);
}

async function buildConfig(options: ParsedOptions, env: Readonly<Record<string, string | undefined>>): Promise<DemoConfig> {
  const operations = options['--operations'] === undefined ? undefined : parseCount('--operations', options['--operations'], 1, MAX_OPERATIONS);
  if (options['--ids'] !== undefined && options['--ids-file'] !== undefined) {
    throw new ConfigError('Give either --ids or --ids-file, not both.');
  }
  if (options['--replicas'] !== undefined && options['--links'] !== undefined) throw new ConfigError('Give either --replicas or --links, not both.');
  const set = (name: (typeof CDF_VARS)[number]): string | undefined => (env[name] === '' ? undefined : env[name]);
  if (CDF_VARS.every((name) => set(name) === undefined)) {
    if (options['--ids'] !== undefined || options['--ids-file'] !== undefined) {
      throw new ConfigError(
        `--ids and --ids-file look up files in a real CDF project: set CDF_BASE_URL, CDF_PROJECT and ${TOKEN_HINT}. ` +
          'Without them the demo runs against its built-in fake CDF.',
      );
    }
    const config: DemoConfig = { target: DEFAULT_MOCK_TARGET, workload: workloadFor(operations ?? DEFAULT_MOCK_OPERATIONS) };
    if (options['--replicas'] !== undefined) config.replicas = { count: parseCount('--replicas', options['--replicas'], 2, MAX_REPLICAS), redisUrl: redisUrlOf(env) };
    if (options['--links'] !== undefined) config.links = { pageSize: parseCount('--links', options['--links'], 1, MAX_LINKS_PAGE) };
    if (options['--outage'] !== undefined && (config.replicas !== undefined || config.links !== undefined)) {
      throw new ConfigError(`Give either --outage or ${config.replicas === undefined ? '--links' : '--replicas'}, not both.`);
    }
    if (options['--outage'] !== undefined) config.outage = true;
    return config;
  }
  for (const name of ['--replicas', '--links'] as const) {
    if (options[name] !== undefined) throw new ConfigError(`${name} runs against the built-in fake CDF, whose project-wide concurrency limit it measures: unset the CDF_* variables.`);
  }
  if (options['--outage'] !== undefined) throw new ConfigError('--outage takes the built-in fake CDF down mid-run: unset the CDF_* variables.');

  const baseUrl = set('CDF_BASE_URL');
  const project = set('CDF_PROJECT');
  const token = set('CDF_TOKEN');
  const clientVarsSet = CLIENT_CREDENTIAL_VARS.filter((name) => set(name) !== undefined);
  if (token !== undefined && clientVarsSet.length > 0) {
    throw new ConfigError(
      `CDF_TOKEN is set together with ${clientVarsSet.join(', ')}: give either a token (CDF_TOKEN) or OAuth client credentials ` +
        '(CDF_TOKEN_URL, CDF_CLIENT_ID, CDF_CLIENT_SECRET, CDF_SCOPES), not both.',
    );
  }
  const missing: string[] = [];
  if (baseUrl === undefined) missing.push('CDF_BASE_URL');
  if (project === undefined) missing.push('CDF_PROJECT');
  if (token === undefined && clientVarsSet.length === 0) missing.push('a token');
  if (token === undefined && clientVarsSet.length > 0) {
    missing.push(...(['CDF_TOKEN_URL', 'CDF_CLIENT_ID', 'CDF_CLIENT_SECRET'] as const).filter((name) => set(name) === undefined));
  }
  if (missing.length > 0) {
    throw new ConfigError(
      `Running against a real CDF project needs CDF_BASE_URL, CDF_PROJECT and ${TOKEN_HINT}; missing: ${missing.join(', ')}. ` +
        'Set them, or unset every CDF_* variable to run against the built-in fake CDF.',
    );
  }
  const cluster = checkUrl('CDF_BASE_URL', baseUrl as string, 'https://westeurope-1.cognitedata.com');
  const credentials: Credentials =
    token !== undefined
      ? { kind: 'token', token }
      : {
          kind: 'client-credentials',
          tokenUrl: checkUrl('CDF_TOKEN_URL', set('CDF_TOKEN_URL') as string, 'https://login.microsoftonline.com/TENANT/oauth2/v2.0/token'),
          clientId: set('CDF_CLIENT_ID') as string,
          clientSecret: set('CDF_CLIENT_SECRET') as string,
          scopes: set('CDF_SCOPES') ?? `${cluster}/.default`,
        };
  const ids = await readIds(options);
  if (ids === undefined) {
    throw new ConfigError(
      `Running against CDF project '${project as string}' needs the file ids to look up: give --ids 1,2,3 or --ids-file PATH (one id per line, or a JSON array).`,
    );
  }
  return {
    target: { kind: 'cdf', baseUrl: cluster, project: project as string, credentials, ids },
    workload: workloadFor(operations ?? DEFAULT_CDF_OPERATIONS),
  };
}

function parseCount(name: string, value: string, min: number, max: number): number {
  const number = Number(value);
  if (!/^\d+$/.test(value) || number < min || number > max) throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got '${value}'.`);
  return number;
}

/** `REDIS_URL` when set and empty counts as unset; a value that is no redis:// URL is refused without showing it (it may hold a password). */
function redisUrlOf(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const url = env.REDIS_URL;
  if (url === undefined || url === '') return undefined;
  let protocol: string | undefined;
  try {
    protocol = new URL(url).protocol;
  } catch {
    protocol = undefined;
  }
  if (protocol !== 'redis:' && protocol !== 'rediss:') {
    throw new ConfigError('REDIS_URL must be a redis:// or rediss:// URL, such as redis://localhost:6379; unset it to let the demo start a private redis-server.');
  }
  return url;
}

/** The URL without a trailing slash. */
function checkUrl(name: string, value: string, example: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new ConfigError(`${name} must be an http(s) URL such as ${example}, got '${value}'.`);
  }
  return value.replace(/\/+$/, '');
}

async function readIds(options: ParsedOptions): Promise<number[] | undefined> {
  const list = options['--ids'];
  if (list !== undefined) {
    return list.split(',').map((text) => parseId(text.trim(), '--ids'));
  }
  const path = options['--ids-file'];
  if (path === undefined) return undefined;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`Cannot read --ids-file '${path}': ${(error as Error).message}.`);
  }
  const empty = `--ids-file '${path}' holds no ids: put one file id per line, or a JSON array such as [1, 2, 3].`;
  if (text.trimStart().startsWith('[')) {
    let values: unknown;
    try {
      values = JSON.parse(text);
    } catch (error) {
      throw new ConfigError(`--ids-file '${path}' starts with '[' but is not valid JSON: ${(error as Error).message}.`);
    }
    return nonEmpty(
      (values as unknown[]).map((value, index) => parseId(typeof value === 'number' ? String(value) : JSON.stringify(value), `--ids-file '${path}' item ${index + 1}`)),
      empty,
    );
  }
  const ids = text.split(/\r?\n/).flatMap((line, index) => {
    const trimmed = line.trim();
    return trimmed === '' ? [] : [parseId(trimmed, `--ids-file '${path}' line ${index + 1}`)];
  });
  return nonEmpty(ids, empty);
}

function parseId(text: string, where: string): number {
  const id = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(id) || id < 1) {
    throw new ConfigError(`${where}: '${text}' is not a CDF file id (${ID_RULE}).`);
  }
  return id;
}

function nonEmpty(ids: number[], message: string): number[] {
  if (ids.length === 0) throw new ConfigError(message);
  return ids;
}
