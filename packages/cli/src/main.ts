import { createReadStream, createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';
import { assets, CdfApiError, createByIdsLoader, events, files, type Resource, sequences, timeSeries, TokenProviderError } from 'cdf-loader';
import { type LookupCommand, parseCliArgs, type ResourceName, UsageError, USAGE } from './args.js';
import { connectionFromEnv } from './connection.js';
import { countIdentifiers, identifiersOf } from './input.js';
import { formatRecord, header, OutputWriter, statusOf } from './output.js';
import { createProgress } from './progress.js';
import { readEarlierRun, resumeKey } from './resume.js';
import { Tally } from './summary.js';

/** Where the command reads and writes, and what stops it: the process's own, or a test's. */
export interface CliIo {
  /** Read for `--ids-file -`. */
  stdin: Readable;
  /** Results go here without `--out`. */
  stdout: Writable;
  /** The progress bar (when it is a terminal), the summary and messages. */
  stderr: Writable & { isTTY?: boolean };
  env: Readonly<Record<string, string | undefined>>;
  /** Aborting it stops the run as Ctrl-C does: what was written stays, and `--resume` goes on from there. */
  signal?: AbortSignal;
}

/** Exit code of a run stopped by Ctrl-C (128 + SIGINT), as shells expect. */
const INTERRUPTED = 130;
/**
 * The answers kept for identifiers that come again later in the file, beyond what `loadAll` has
 * read ahead (an item takes an entry per identifier it has): about 10,000 distinct files by id
 * and externalId are each looked up once, however the file orders them. Not more: V8 lets the
 * heap grow to a multiple of what stays alive, so every kept item costs several times its size in
 * RSS (50,000 entries cost some 50 MB more over B8's million lines). For the whole run, not a minute.
 */
const CACHE = { max: 20_000, ttlMs: Number.POSITIVE_INFINITY };
/** Sent as `x-cdp-app`. */
const APP_ID = 'cdf-loader-cli';

const RESOURCES: Record<ResourceName, Resource<object, unknown>> = {
  files,
  assets,
  events,
  timeseries: timeSeries,
  sequences,
};

/**
 * Runs `cdf-loader` with `argv` (without node and script); resolves to the exit code: 0 every
 * identifier found, 3 some not found, 1 failures, 2 bad usage, 130 interrupted.
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const command = parseCliArgs(argv);
    if (command.run === 'help') {
      io.stdout.write(USAGE);
      return 0;
    }
    return await lookup(command, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`cdf-loader: ${error.message}\nRun 'cdf-loader --help' for usage.\n`);
      return 2;
    }
    io.stderr.write(`cdf-loader: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

/** `main` for the `cdf-loader` bin: the process's streams and environment, Ctrl-C and SIGTERM as the stop signal. */
export async function runFromProcess(): Promise<number> {
  const stop = new AbortController();
  const interrupt = (): void => stop.abort(new DOMException('Interrupted', 'AbortError'));
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  try {
    return await main(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env, signal: stop.signal });
  } finally {
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
  }
}

async function lookup(command: LookupCommand, io: CliIo): Promise<number> {
  const loader = createByIdsLoader(RESOURCES[command.resource], { ...connectionFromEnv(io.env), appId: APP_ID, maxConcurrency: command.concurrency, cache: CACHE });
  const tally = new Tally();
  const earlier =
    command.out !== undefined && command.resume
      ? await readEarlierRun(command.out, command.format, (result) => {
          tally.earlier++;
          tally.add(result.identifier, result.status, result.message);
        })
      : undefined;
  const input = await openInput(command.idsFile, io.stdin);
  const total = io.stderr.isTTY === true && command.idsFile !== '-' ? await countIdentifiers(createReadStream(command.idsFile)) : undefined;
  const startedAt = performance.now();
  const writer = new OutputWriter(command.out === undefined ? io.stdout : createWriteStream(command.out, { flags: earlier === undefined ? 'w' : 'a' }));
  const progress = createProgress(io.stderr, total);

  const identifiers = (): AsyncIterableIterator<unknown> =>
    identifiersOf(input, (identifier) => {
      const skipped = earlier?.keys.has(resumeKey(identifier)) === true;
      if (skipped) progress.tick();
      return skipped;
    });

  let fatal: Error | undefined;
  let interrupted = false;
  try {
    if (earlier === undefined || earlier.empty) await writer.add(header(command.format));
    for await (const result of loader.loadAll(identifiers(), { signal: io.signal })) {
      if (result.error !== undefined && refusesTheWholeRun(result.error)) {
        fatal = result.error;
        break;
      }
      tally.add(result.identifier, statusOf(result), result.error?.message);
      const full = writer.add(formatRecord(result, command.format));
      if (full !== undefined) await full;
      progress.tick();
    }
  } catch (error) {
    if (io.signal?.aborted !== true || error !== io.signal.reason) throw error;
    interrupted = true;
  } finally {
    progress.stop();
    input.destroy();
    await loader.close();
    // What was gathered is written however the run ended, so `--resume` goes on from there.
    await (command.out === undefined ? writer.flush() : writer.end());
  }

  io.stderr.write(tally.summary({ requests: loader.stats().requests, seconds: (performance.now() - startedAt) / 1000 }));
  const resumeHint = command.out === undefined ? '' : '; run the same command with --resume to go on from there';
  if (fatal !== undefined) {
    io.stderr.write(`cdf-loader: stopped, since every request would fail the same way: ${fatal.message}\n${whatToCheck(fatal)}${resumeHint}\n`);
    return 1;
  }
  if (interrupted) {
    io.stderr.write(`cdf-loader: interrupted${resumeHint}\n`);
    return INTERRUPTED;
  }
  return tally.exitCode;
}

/**
 * No token, a token CDF refuses, no access to the resource, no such project: every request
 * would meet it, so the run stops rather than writing the same error for every identifier.
 */
function refusesTheWholeRun(error: Error): boolean {
  return error instanceof TokenProviderError || (error instanceof CdfApiError && [401, 403, 404].includes(error.status));
}

/** What to look at after a failure that stops the run. */
function whatToCheck(error: Error): string {
  const status = error instanceof CdfApiError ? error.status : undefined;
  if (status === 403) return 'Check that these credentials may read this resource in CDF_PROJECT';
  if (status === 404) return 'Check CDF_BASE_URL and CDF_PROJECT';
  return 'Check CDF_TOKEN, or CDF_TOKEN_URL, CDF_CLIENT_ID, CDF_CLIENT_SECRET and CDF_SCOPES';
}

/** The ids file, or stdin for `-`. @throws {UsageError} when it cannot be read. */
async function openInput(path: string, stdin: Readable): Promise<Readable> {
  if (path === '-') return stdin;
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw new UsageError(`Cannot read --ids-file: ${(error as Error).message}`);
  }
  if ((await handle.stat()).isDirectory()) {
    await handle.close();
    throw new UsageError(`--ids-file '${path}' is a directory; give a file with one identifier a line`);
  }
  return handle.createReadStream();
}
