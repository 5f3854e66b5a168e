import { DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_TOKEN, type MockCdf, startTokenEndpoint } from '@cdf-loader/mock-cdf';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { byIdsRequests, shuffle, until, useMockCdf } from '../../cdf-loader/test/support.js';
import { main } from '../src/main.js';
import { parseCsvRecord } from '../src/resume.js';

const ISSUED_TOKEN = 'mock-access-token-1';
const cdf = useMockCdf({ counts: { files: 10_000 }, tokens: { [DEFAULT_TOKEN]: {}, [ISSUED_TOKEN]: {} } });

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'cdf-loader-cli-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

/** A writable that keeps what was written; `isTTY` makes it look like a terminal. */
class Capture extends Writable {
  text = '';
  readonly isTTY: boolean;
  readonly columns = 100;

  constructor(isTTY = false) {
    super();
    this.isTTY = isTTY;
  }

  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

function envFor(mock: MockCdf): Record<string, string> {
  return { CDF_BASE_URL: mock.url, CDF_PROJECT: mock.project, CDF_TOKEN: mock.token };
}

interface RunOptions {
  stdin?: string;
  env?: Record<string, string | undefined>;
  signal?: AbortSignal;
  tty?: boolean;
}

async function run(argv: string[], options: RunOptions = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new Capture();
  const stderr = new Capture(options.tty);
  const env = { ...envFor(cdf()), ...options.env };
  const code = await main(argv, { stdin: Readable.from([options.stdin ?? '']), stdout, stderr, env, ...(options.signal && { signal: options.signal }) });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

async function idsFile(name: string, lines: readonly string[]): Promise<string> {
  const path = join(directory, name);
  await writeFile(path, `${lines.join('\n')}\n`);
  return path;
}

/** The NDJSON output as records. */
function records(ndjson: string): { identifier: unknown; item?: { id: number } | null; error?: { name: string; message: string; status?: number } }[] {
  return ndjson
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as never);
}

const knownIds = (count: number, from = 0): number[] => cdf().data.files.slice(from, from + count).map((file) => file.id);
/** Ids the fake has no file for: its generated ids are far above these. */
const unknownIds = (count: number, from = 1): number[] => Array.from({ length: count }, (_, index) => from + index);

const SUMMARY = /^cdf-loader: (.+) · (\d+(?:\.\d)?) s$/m;

describe('cdf-loader lookup', () => {
  test('100,000 identifiers from a file to NDJSON on stdout, in input order; exit 3 with the unknown ones counted and the first listed', async () => {
    const known = knownIds(10_000);
    // Every tenth identifier a file of the fake, the others ids it has none for.
    const ids = Array.from({ length: 100_000 }, (_, index) => (index % 10 === 0 ? known[index / 10]! : index + 1));
    const path = await idsFile('100k.txt', ids.map(String));

    const { code, stdout, stderr } = await run(['lookup', 'files', '--ids-file', path]);

    expect(code).toBe(3);
    const output = records(stdout);
    expect(output).toHaveLength(100_000);
    const byId = new Map(cdf().data.files.map((file) => [file.id, file]));
    output.forEach((record, index) => {
      expect(record).toEqual({ identifier: { id: ids[index] }, item: byId.get(ids[index]!) ?? null });
    });
    // Full requests: the file is read faster than CDF answers, so no group goes out half empty.
    expect(byIdsRequests(cdf()).map((entry) => entry.items.length)).toEqual(Array<number>(100).fill(1_000));
    const [summary, listed, ...rest] = stderr.trimEnd().split('\n');
    expect(SUMMARY.exec(summary!)?.[1]).toBe('100,000 identifiers · 10,000 found · 90,000 not found · 0 failed · 100 requests');
    expect(listed).toBe(`not found: ${ids.filter((_, index) => index % 10 !== 0).slice(0, 10).map((id) => `{"id":${id}}`).join(', ')}, … and 89,990 more`);
    expect(rest).toEqual([]);
  });

  test('CSV to --out: a header, one record per identifier with its status, and exit 0 when every identifier was found', async () => {
    const files = cdf().data.files.filter((file) => file.externalId !== undefined).slice(0, 1_500);
    const lines = files.map((file, index) => (index % 2 === 0 ? String(file.id) : JSON.stringify({ externalId: file.externalId })));
    const out = join(directory, 'found.csv');

    const { code, stdout, stderr } = await run(['lookup', 'files', '--ids-file', await idsFile('found.txt', lines), '--format', 'csv', '--out', out]);

    expect(code).toBe(0);
    expect(stdout).toBe('');
    expect(SUMMARY.exec(stderr)?.[1]).toBe('1,500 identifiers · 1,500 found · 0 not found · 0 failed · 2 requests');
    const [header, ...rows] = (await readFile(out, 'utf8')).split('\r\n');
    expect(header).toBe('identifier,status,id,externalId,name,error,item');
    expect(rows.pop()).toBe('');
    expect(rows).toHaveLength(1_500);
    rows.forEach((row, index) => {
      const file = files[index]!;
      const identifier = index % 2 === 0 ? { id: file.id } : { externalId: file.externalId };
      expect(parseCsvRecord(row)).toEqual([JSON.stringify(identifier), 'found', String(file.id), file.externalId, file.name, '', JSON.stringify(file)]);
    });
  });

  test('unknown ids: exit 3, each a null item in its place, the first ten listed in the summary and the rest counted', async () => {
    const [known] = knownIds(1);
    const unknown = unknownIds(12);
    const { code, stdout, stderr } = await run(['lookup', 'files', '--ids-file', '-'], { stdin: [known, ...unknown].join('\n') });

    expect(code).toBe(3);
    expect(records(stdout).map((record) => record.item?.id ?? record.item)).toEqual([known, ...unknown.map(() => null)]);
    const lines = stderr.trimEnd().split('\n');
    expect(SUMMARY.exec(lines[0]!)?.[1]).toBe('13 identifiers · 1 found · 12 not found · 0 failed · 1 request');
    expect(lines.slice(1)).toEqual([`not found: ${unknown.slice(0, 10).map((id) => `{"id":${id}}`).join(', ')}, … and 2 more`]);
  });

  test('reads stdin with blank lines and CRLF ends; a line that names no identifier is an error result in its place, and the exit code 1', async () => {
    const [first, second] = knownIds(2);
    const stdin = `${first}\r\n\r\nnot-an-id\r\n{"externalId":""}\r\n  \r\n${second}\r\n`;

    const { code, stdout, stderr } = await run(['lookup', 'files', '--ids-file', '-'], { stdin });

    expect(code).toBe(1);
    expect(records(stdout)).toEqual([
      { identifier: { id: first }, item: expect.objectContaining({ id: first }) },
      {
        identifier: 'not-an-id',
        error: { name: 'InvalidIdentifierError', message: 'Invalid identifier "not-an-id": expected an object with exactly one of `id`, `externalId`, `instanceId`.' },
      },
      {
        identifier: { externalId: '' },
        error: {
          name: 'InvalidIdentifierError',
          message: 'Invalid identifier {"externalId":""}: `externalId` must be a string of 1 to 255 characters, got "" (0 characters).',
        },
      },
      { identifier: { id: second }, item: expect.objectContaining({ id: second }) },
    ]);
    expect(stderr.split('\n').slice(1)).toEqual([
      'failed:',
      '  "not-an-id": Invalid identifier "not-an-id": expected an object with exactly one of `id`, `externalId`, `instanceId`.',
      '  {"externalId":""}: Invalid identifier {"externalId":""}: `externalId` must be a string of 1 to 255 characters, got "" (0 characters).',
      '',
    ]);
  });

  test('assets accept only id and externalId: an instanceId line is an error result naming the kinds allowed', async () => {
    const asset = cdf().data.assets[0]!;
    const stdin = [String(asset.id), '{"instanceId":{"space":"sp","externalId":"x"}}'].join('\n');

    const { code, stdout } = await run(['lookup', 'assets', '--ids-file', '-'], { stdin });

    expect(code).toBe(1);
    expect(records(stdout)).toEqual([
      { identifier: { id: asset.id }, item: asset },
      {
        identifier: { instanceId: { space: 'sp', externalId: 'x' } },
        error: { name: 'InvalidIdentifierError', message: 'Invalid identifier {"instanceId":{"space":"sp","externalId":"x"}}: `instanceId` is not accepted here; allowed: `id`, `externalId`.' },
      },
    ]);
  });

  test('a token CDF refuses: exit 1 with one message and what to check, no result written, the token never shown', async () => {
    const { code, stdout, stderr } = await run(['lookup', 'files', '--ids-file', '-'], { stdin: unknownIds(5).join('\n'), env: { CDF_TOKEN: 'not-the-token' } });

    expect(code).toBe(1);
    expect(stdout).toBe('');
    const lines = stderr.trimEnd().split('\n');
    expect(SUMMARY.exec(lines[0]!)?.[1]).toBe('0 identifiers · 0 found · 0 not found · 0 failed · 2 requests');
    expect(lines[1]).toMatch(
      /^cdf-loader: stopped, since every request would fail the same way: CDF files\/byids failed with 401: .+; a new token from `getToken` was refused too \(request id [\w-]+\)$/,
    );
    expect(lines.slice(2)).toEqual(['Check CDF_TOKEN, or CDF_TOKEN_URL, CDF_CLIENT_ID, CDF_CLIENT_SECRET and CDF_SCOPES']);
    expect(stderr).not.toContain('not-the-token');
    // The request, and its replay after asking for a new token.
    expect(byIdsRequests(cdf()).map((entry) => entry.status)).toEqual([401, 401]);
  });

  test('authenticates with OAuth client credentials from the environment', async () => {
    const endpoint = await startTokenEndpoint();
    try {
      const [known] = knownIds(1);
      const { code, stdout } = await run(['lookup', 'files', '--ids-file', '-'], {
        stdin: String(known),
        env: { CDF_TOKEN: undefined, CDF_TOKEN_URL: endpoint.url, CDF_CLIENT_ID: DEFAULT_CLIENT_ID, CDF_CLIENT_SECRET: DEFAULT_CLIENT_SECRET, CDF_SCOPES: 'scope-a scope-b' },
      });

      expect(code).toBe(0);
      expect(records(stdout)[0]?.item?.id).toBe(known);
      expect(endpoint.requests).toHaveLength(1);
      expect(byIdsRequests(cdf())[0]?.token).toBe(ISSUED_TOKEN);
    } finally {
      await endpoint.close();
    }
  });

  test('interrupted, then --resume: the results written stay, the rest are appended, every identifier exactly once in input order', async () => {
    const ids = [...knownIds(2_500), ...unknownIds(2_500)];
    const path = await idsFile('resume.txt', ids.map(String));
    const out = join(directory, 'resume.ndjson');
    // The third request hangs, so the results of the first two are written and the run stalls there.
    cdf().addFault({ request: 3, delayMs: 60_000 });
    const stop = new AbortController();
    const interrupted = run(['lookup', 'files', '--ids-file', path, '--out', out], { signal: stop.signal });
    await until(() => lineCount(out) === 2_000 && cdf().counters.inFlight >= 1, 'the first two requests written and the third hanging');

    stop.abort();
    const first = await interrupted;

    expect(first.code).toBe(130);
    expect(first.stderr.trimEnd().split('\n').at(-1)).toBe('cdf-loader: interrupted; run the same command with --resume to go on from there');
    expect(SUMMARY.exec(first.stderr)?.[1]).toMatch(/^2,000 identifiers · 2,000 found · 0 not found · 0 failed · \d requests$/);

    const second = await run(['lookup', 'files', '--ids-file', path, '--out', out, '--resume']);

    expect(second.code).toBe(3);
    expect(SUMMARY.exec(second.stderr)?.[1]).toMatch(/^5,000 identifiers \(2,000 already in --out\) · 2,500 found · 2,500 not found · 0 failed · \d requests$/);
    expect(records(await readFile(out, 'utf8')).map((record) => record.identifier)).toEqual(ids.map((id) => ({ id })));
  });

  test('--resume drops a last line cut short (a killed run), and looks that identifier up again', async () => {
    const [a, b, c] = knownIds(3);
    const path = await idsFile('cut.txt', [a, b, c].map(String));
    const out = join(directory, 'cut.ndjson');
    const file = cdf().data.files[0]!;
    await writeFile(out, `${JSON.stringify({ identifier: { id: a }, item: file })}\n{"identifier":{"id":${b}},"item":{"id":${b},"na`);

    const { code, stderr } = await run(['lookup', 'files', '--ids-file', path, '--out', out, '--resume']);

    expect(code).toBe(0);
    expect(SUMMARY.exec(stderr)?.[1]).toBe('3 identifiers (1 already in --out) · 3 found · 0 not found · 0 failed · 1 request');
    expect(records(await readFile(out, 'utf8')).map((record) => record.item?.id)).toEqual([a, b, c]);
    expect(byIdsRequests(cdf())[0]?.items).toEqual([{ id: b }, { id: c }]);
  });

  test('--resume with CSV: reads records back (quoted line breaks too), drops one cut short, and writes no second header', async () => {
    const [a, b, c] = knownIds(3);
    const path = await idsFile('resume-csv.txt', [a, b, c].map(String));
    const out = join(directory, 'resume.csv');
    const header = 'identifier,status,id,externalId,name,error,item\r\n';
    // As an earlier run would have written it, with a name spanning lines, killed in the middle of the second record.
    const firstRecord = `"{""id"":${a}}",found,${a},,"two\r\nlines",,"{""id"":${a}}"\r\n`;
    await writeFile(out, `${header}${firstRecord}"{""id"":${b}}",found,${b},,"cut`);

    const { code, stderr } = await run(['lookup', 'files', '--ids-file', path, '--out', out, '--format', 'csv', '--resume']);

    expect(code).toBe(0);
    expect(SUMMARY.exec(stderr)?.[1]).toBe('3 identifiers (1 already in --out) · 3 found · 0 not found · 0 failed · 1 request');
    const text = await readFile(out, 'utf8');
    expect(text.startsWith(header + firstRecord)).toBe(true);
    const rest = text.slice((header + firstRecord).length).split('\r\n');
    expect(rest.map((record) => parseCsvRecord(record)?.[0])).toEqual([`{"id":${b}}`, `{"id":${c}}`, '']);
  });

  test('--resume refuses a file it did not write, naming the record', async () => {
    const out = join(directory, 'other.ndjson');
    await writeFile(out, '{"identifier":{"id":1},"item":null}\nhello\n');
    const { code, stderr } = await run(['lookup', 'files', '--ids-file', '-', '--out', out, '--resume'], { stdin: '1' });

    expect(code).toBe(2);
    expect(stderr).toBe(
      `cdf-loader: --out '${out}' record 2 is not a ndjson result cdf-loader wrote (not JSON); --resume needs the file an earlier run with the same --format wrote\n` +
        "Run 'cdf-loader --help' for usage.\n",
    );
    expect(await readFile(out, 'utf8')).toBe('{"identifier":{"id":1},"item":null}\nhello\n');
  });

  test('--concurrency N keeps N requests in flight', async () => {
    cdf().configure({ latency: { fixedMs: 20 } });
    const path = await idsFile('concurrency.txt', unknownIds(6_000).map(String));

    const { code } = await run(['lookup', 'files', '--ids-file', path, '--concurrency', '2']);

    cdf().configure({ latency: undefined });
    expect(code).toBe(3);
    expect(cdf().counters.maxConcurrent).toBe(2);
    expect(byIdsRequests(cdf()).map((entry) => entry.items.length)).toEqual(Array<number>(6).fill(1_000));
  });

  test.each(['spread', 'shuffled', 'sorted'] as const)(
    '30,000 lines over 9,517 distinct identifiers (ids and externalIds, a tenth unknown), %s: ceil(9,517 / 1000) + 2 requests at most, each identifier sent once, every line answered in place',
    async (order) => {
      const files = cdf().data.files;
      const distinct = Array.from({ length: 9_517 }, (_, index) =>
        index % 10 === 9 ? String(index + 1) : index % 3 === 0 && files[index]!.externalId !== undefined ? JSON.stringify({ externalId: files[index]!.externalId }) : String(files[index]!.id),
      );
      // 'spread': each identifier's repeats about 9,517 lines apart; 'shuffled': anywhere (seeded); 'sorted': side by side.
      let lines = Array.from({ length: 30_000 }, (_, index) => distinct[(index * 7_919) % distinct.length]!);
      if (order === 'shuffled') lines = shuffle(lines, 22);
      if (order === 'sorted') lines = [...lines].sort();
      const path = await idsFile(`repeats-${order}.txt`, lines);

      const { code, stdout } = await run(['lookup', 'files', '--ids-file', path]);

      expect(code).toBe(3);
      const records = stdout.split('\n');
      expect(records).toHaveLength(30_001);
      const byKey = new Map(files.flatMap((file): [string, unknown][] => [[String(file.id), file], [JSON.stringify({ externalId: file.externalId }), file]]));
      const expected = lines.map((line) => ({ identifier: line.startsWith('{') ? (JSON.parse(line) as unknown) : { id: Number(line) }, item: byKey.get(line) ?? null }));
      expect(records.slice(0, -1).map((record) => JSON.parse(record) as unknown)).toEqual(expected);
      const sizes = byIdsRequests(cdf()).map((entry) => entry.items.length);
      expect(sizes.length).toBeLessThanOrEqual(Math.ceil(9_517 / 1000) + 2);
      expect(sizes.reduce((sum, size) => sum + size, 0)).toBe(9_517);
    },
  );

  test('draws a progress bar with rate and ETA when stderr is a terminal', async () => {
    const path = await idsFile('progress.txt', unknownIds(300).map(String));
    const { code, stderr } = await run(['lookup', 'files', '--ids-file', path], { tty: true });

    expect(code).toBe(3);
    expect(stderr).toMatch(/cdf-loader [░█]+ \d+% · \d+\/300 identifiers · [\d,]+\/s · ETA /);
  });

  test.each([
    [['lookup', 'files'], 'cdf-loader: Missing --ids-file <file>, or --ids-file - to read stdin'],
    [['lookup', 'widgets', '--ids-file', '-'], "cdf-loader: Unknown resource 'widgets'; one of files, assets, events, timeseries, sequences"],
    [['find', 'files', '--ids-file', '-'], "cdf-loader: Unknown command 'find'; the command is 'lookup'"],
    [['lookup', 'files', '--ids-file', '-', '--format', 'xml'], "cdf-loader: --format must be ndjson or csv, got 'xml'"],
    [['lookup', 'files', '--ids-file', '-', '--resume'], 'cdf-loader: --resume needs --out <file>: it skips the identifiers already in that file'],
    [['lookup', 'files', '--ids-file', '-', '--bogus'], "cdf-loader: Unknown option '--bogus'"],
    [['lookup', 'files', '--ids-file', '/nonexistent/ids.txt'], "cdf-loader: Cannot read --ids-file: ENOENT: no such file or directory, open '/nonexistent/ids.txt'"],
    [['lookup', 'files', '--ids-file', '-', '--concurrency', '0'], "cdf-loader: --concurrency must be a whole number of requests from 1 to 64, got '0'"],
    [['lookup', 'files', '--ids-file', '-', '--concurrency', 'many'], "cdf-loader: --concurrency must be a whole number of requests from 1 to 64, got 'many'"],
    [['lookup', 'files', '--ids-file', '-', '--concurrency', '2.5'], "cdf-loader: --concurrency must be a whole number of requests from 1 to 64, got '2.5'"],
    [['lookup', 'files', '--ids-file', '-', '--concurrency', '65'], "cdf-loader: --concurrency must be a whole number of requests from 1 to 64, got '65'"],
    [['lookup', 'files', '--ids-file', '-', '--concurrency'], "cdf-loader: Option '--concurrency <value>' argument missing"],
  ])('bad usage %j: exit 2 with one message and where to find usage', async (argv, message) => {
    const { code, stdout, stderr } = await run(argv);

    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.split('\n')[0]).toContain(message);
    expect(stderr.endsWith("Run 'cdf-loader --help' for usage.\n")).toBe(true);
    expect(cdf().counters.requests).toBe(0);
  });

  test('missing environment: exit 2 naming the variables to set', async () => {
    const { code, stderr } = await run(['lookup', 'files', '--ids-file', '-'], { env: { CDF_PROJECT: '', CDF_TOKEN: undefined } });

    expect(code).toBe(2);
    expect(stderr.split('\n')[0]).toBe(
      'cdf-loader: Set the environment variables CDF_BASE_URL, CDF_PROJECT and a token; missing: CDF_PROJECT, CDF_TOKEN, or CDF_TOKEN_URL, CDF_CLIENT_ID and CDF_CLIENT_SECRET',
    );
  });

  test('--help prints the usage on stdout and exits 0', async () => {
    const { code, stdout } = await run(['--help']);

    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: cdf-loader lookup <resource> --ids-file <file\|-> \[--format ndjson\|csv\] \[--out <file>\] \[--resume\]\n/);
    for (const variable of ['CDF_BASE_URL', 'CDF_PROJECT', 'CDF_TOKEN', 'CDF_TOKEN_URL', 'CDF_CLIENT_ID', 'CDF_CLIENT_SECRET', 'CDF_SCOPES']) expect(stdout).toContain(variable);
  });
});

const bin = fileURLToPath(new URL('../bin/cdf-loader.js', import.meta.url));
const built = existsSync(fileURLToPath(new URL('../dist/bin.js', import.meta.url)));

describe.skipIf(!built)('the built cdf-loader bin', () => {
  test('killed mid-run (SIGKILL), then --resume: every identifier exactly once in the output, in input order', async () => {
    const ids = [...knownIds(3_000), ...unknownIds(3_000)];
    const path = await idsFile('kill.txt', ids.map(String));
    const out = join(directory, 'kill.ndjson');
    cdf().addFault({ request: 4, delayMs: 60_000 });
    const child = spawn(process.execPath, [bin, 'lookup', 'files', '--ids-file', path, '--out', out], { env: { ...process.env, ...envFor(cdf()) }, stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    await until(() => lineCount(out) >= 3_000 && cdf().counters.inFlight >= 1, 'the first three requests written and the fourth hanging', 15_000);

    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    await until(() => cdf().counters.inFlight === 0, 'the killed process’s connections to close');
    const resumed = await run(['lookup', 'files', '--ids-file', path, '--out', out, '--resume']);

    expect(resumed.code).toBe(3);
    expect(SUMMARY.exec(resumed.stderr)?.[1]).toMatch(/^6,000 identifiers \(3,000 already in --out\) · 3,000 found · 3,000 not found · 0 failed · \d requests$/);
    expect(records(await readFile(out, 'utf8')).map((record) => record.identifier)).toEqual(ids.map((id) => ({ id })));
  }, 30_000);
});

function lineCount(path: string): number {
  if (!existsSync(path)) return 0;
  return readFileSync(path, 'utf8').split('\n').length - 1;
}
