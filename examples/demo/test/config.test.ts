import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MOCK_TARGET, parseCommandLine, workloadFor } from '../src/index.js';

const REAL = { CDF_BASE_URL: 'https://westeurope-1.cognitedata.com/', CDF_PROJECT: 'my-project', CDF_TOKEN: 'tok-secret-123' };
const CLIENT = {
  CDF_BASE_URL: 'https://westeurope-1.cognitedata.com',
  CDF_PROJECT: 'my-project',
  CDF_TOKEN_URL: 'https://login.example/tenant/oauth2/v2.0/token',
  CDF_CLIENT_ID: 'demo-client',
  CDF_CLIENT_SECRET: 'client-secret-value',
};
const TOKEN_HINT = 'a token (CDF_TOKEN, or CDF_TOKEN_URL, CDF_CLIENT_ID and CDF_CLIENT_SECRET)';

async function idsFile(content: string): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'demo-ids-')), 'ids.txt');
  await writeFile(path, content);
  return path;
}

async function errorOf(argv: string[], env: Record<string, string> = {}): Promise<string> {
  const parsed = await parseCommandLine(argv, env);
  if (parsed.kind !== 'error') throw new Error(`expected an error, got ${JSON.stringify(parsed)}`);
  return parsed.message;
}

describe('configuration: the fake CDF', () => {
  it('runs against the fake with no CDF_* variable (empty ones count as unset)', async () => {
    expect(await parseCommandLine([], { CDF_PROJECT: '' })).toEqual({ kind: 'run', config: { target: DEFAULT_MOCK_TARGET, workload: workloadFor(120) } });
  });

  it('takes --operations in both spellings, after a -- too', async () => {
    for (const argv of [['--operations', '8'], ['--', '--operations=8']]) {
      expect(await parseCommandLine(argv, {})).toMatchObject({ kind: 'run', config: { workload: { operations: 8, concurrency: 4 } } });
    }
  });

  it('answers --help and -h', async () => {
    expect(await parseCommandLine(['--ids', '1', '-h'], {})).toEqual({ kind: 'help' });
    expect(await parseCommandLine(['--help'], {})).toEqual({ kind: 'help' });
  });
});

describe('configuration: a real project', () => {
  it('takes a token and --ids, trimming the base URL', async () => {
    expect(await parseCommandLine(['--ids', '1, 2,9007199254740991'], REAL)).toEqual({
      kind: 'run',
      config: {
        target: {
          kind: 'cdf',
          baseUrl: 'https://westeurope-1.cognitedata.com',
          project: 'my-project',
          credentials: { kind: 'token', token: 'tok-secret-123' },
          ids: [1, 2, 9007199254740991],
        },
        workload: workloadFor(50),
      },
    });
  });

  it('takes client credentials, with the scope defaulting to the cluster', async () => {
    const parsed = await parseCommandLine(['--ids=5'], CLIENT);
    expect(parsed).toMatchObject({
      config: {
        target: {
          credentials: {
            kind: 'client-credentials',
            tokenUrl: CLIENT.CDF_TOKEN_URL,
            clientId: 'demo-client',
            clientSecret: 'client-secret-value',
            scopes: 'https://westeurope-1.cognitedata.com/.default',
          },
        },
      },
    });
    expect(await parseCommandLine(['--ids=5'], { ...CLIENT, CDF_SCOPES: 'a b' })).toMatchObject({ config: { target: { credentials: { scopes: 'a b' } } } });
  });

  it('reads --ids-file as lines or as a JSON array', async () => {
    expect(await parseCommandLine(['--ids-file', await idsFile('11\n\n  12 \r\n13\n')], REAL)).toMatchObject({ config: { target: { ids: [11, 12, 13] } } });
    expect(await parseCommandLine(['--ids-file', await idsFile(' [21, 22]')], REAL)).toMatchObject({ config: { target: { ids: [21, 22] } } });
  });
});

describe('configuration errors', () => {
  it('names an unknown option or argument', async () => {
    expect(await errorOf(['--idz', '1'])).toBe("Unknown option '--idz'. Run with --help to see the options.");
    expect(await errorOf(['--idz=1'])).toBe("Unknown option '--idz'. Run with --help to see the options.");
    expect(await errorOf(['demo'])).toBe("Unexpected argument 'demo'. Run with --help to see the options.");
  });

  it('says what value an option needs', async () => {
    expect(await errorOf(['--ids'])).toBe('--ids needs a list of file ids, such as --ids 1,2,3.');
    expect(await errorOf(['--ids-file', '--ids', '1'])).toBe('--ids-file needs a path, such as --ids-file ids.txt.');
    expect(await errorOf(['--operations='])).toBe('--operations needs a number, such as --operations 50.');
  });

  it('refuses an option given twice, and --ids with --ids-file', async () => {
    expect(await errorOf(['--ids', '1', '--ids', '2'], REAL)).toBe('--ids is given twice; give it once.');
    expect(await errorOf(['--ids', '1', '--ids-file', 'x'], REAL)).toBe('Give either --ids or --ids-file, not both.');
  });

  it('checks --operations', async () => {
    for (const value of ['0', '10001', '2.5', 'many']) {
      expect(await errorOf(['--operations', value])).toBe(`--operations must be an integer from 1 to 10000, got '${value}'.`);
    }
  });

  it('refuses ids without a real project', async () => {
    expect(await errorOf(['--ids', '1'])).toBe(
      `--ids and --ids-file look up files in a real CDF project: set CDF_BASE_URL, CDF_PROJECT and ${TOKEN_HINT}. ` +
        'Without them the demo runs against its built-in fake CDF.',
    );
  });

  it('lists every missing variable', async () => {
    const needs = `Running against a real CDF project needs CDF_BASE_URL, CDF_PROJECT and ${TOKEN_HINT}; missing:`;
    const fix = 'Set them, or unset every CDF_* variable to run against the built-in fake CDF.';
    expect(await errorOf(['--ids', '1'], { CDF_BASE_URL: 'https://api.cognitedata.com' })).toBe(`${needs} CDF_PROJECT, a token. ${fix}`);
    expect(await errorOf(['--ids', '1'], { CDF_PROJECT: 'p', CDF_TOKEN: 't' })).toBe(`${needs} CDF_BASE_URL. ${fix}`);
    expect(await errorOf(['--ids', '1'], { ...REAL, CDF_TOKEN: '', CDF_CLIENT_ID: 'c' })).toBe(`${needs} CDF_TOKEN_URL, CDF_CLIENT_SECRET. ${fix}`);
  });

  it('refuses a token together with client credentials, without echoing either', async () => {
    const message = await errorOf(['--ids', '1'], { ...CLIENT, CDF_TOKEN: 'tok-secret-123', CDF_SCOPES: 's' });
    expect(message).toBe(
      'CDF_TOKEN is set together with CDF_TOKEN_URL, CDF_CLIENT_ID, CDF_CLIENT_SECRET, CDF_SCOPES: give either a token (CDF_TOKEN) ' +
        'or OAuth client credentials (CDF_TOKEN_URL, CDF_CLIENT_ID, CDF_CLIENT_SECRET, CDF_SCOPES), not both.',
    );
    expect(message).not.toContain('secret-');
  });

  it('checks the URLs', async () => {
    expect(await errorOf(['--ids', '1'], { ...REAL, CDF_BASE_URL: 'westeurope-1.cognitedata.com' })).toBe(
      "CDF_BASE_URL must be an http(s) URL such as https://westeurope-1.cognitedata.com, got 'westeurope-1.cognitedata.com'.",
    );
    expect(await errorOf(['--ids', '1'], { ...CLIENT, CDF_TOKEN_URL: 'ftp://login' })).toBe(
      "CDF_TOKEN_URL must be an http(s) URL such as https://login.microsoftonline.com/TENANT/oauth2/v2.0/token, got 'ftp://login'.",
    );
  });

  it('needs ids for a real project', async () => {
    expect(await errorOf([], REAL)).toBe(
      "Running against CDF project 'my-project' needs the file ids to look up: give --ids 1,2,3 or --ids-file PATH (one id per line, or a JSON array).",
    );
  });

  it('names a bad id and where it is', async () => {
    const rule = 'is not a CDF file id (an integer from 1 to 9007199254740991).';
    expect(await errorOf(['--ids', '1,x2'], REAL)).toBe(`--ids: 'x2' ${rule}`);
    expect(await errorOf(['--ids', '1,,2'], REAL)).toBe(`--ids: '' ${rule}`);
    expect(await errorOf(['--ids', '0'], REAL)).toBe(`--ids: '0' ${rule}`);
    expect(await errorOf(['--ids', '9007199254740992'], REAL)).toBe(`--ids: '9007199254740992' ${rule}`);
    const lines = await idsFile('1\n\n-3\n');
    expect(await errorOf(['--ids-file', lines], REAL)).toBe(`--ids-file '${lines}' line 3: '-3' ${rule}`);
    const json = await idsFile('[1, "2"]');
    expect(await errorOf(['--ids-file', json], REAL)).toBe(`--ids-file '${json}' item 2: '"2"' ${rule}`);
  });

  it('says what is wrong with an ids file', async () => {
    const missing = join(tmpdir(), 'no-such-demo-ids.txt');
    expect(await errorOf(['--ids-file', missing], REAL)).toBe(
      `Cannot read --ids-file '${missing}': ENOENT: no such file or directory, open '${missing}'.`,
    );
    const empty = await idsFile('\n \n');
    expect(await errorOf(['--ids-file', empty], REAL)).toBe(
      `--ids-file '${empty}' holds no ids: put one file id per line, or a JSON array such as [1, 2, 3].`,
    );
    const broken = await idsFile('[1, 2');
    expect(await errorOf(['--ids-file', broken], REAL)).toMatch(new RegExp(`^--ids-file '${broken}' starts with '\\[' but is not valid JSON: .+\\.$`));
  });
});
