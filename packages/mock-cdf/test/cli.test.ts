import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '../src/cli-args.js';
import { runCli } from '../src/cli.js';
import { start } from './helpers.js';

function capture(): { text: () => string; stream: { write(text: string): boolean }; next: () => Promise<string> } {
  let output = '';
  let waiting: ((text: string) => void) | undefined;
  return {
    text: () => output,
    stream: {
      write(text: string) {
        output += text;
        waiting?.(output);
        return true;
      },
    },
    next: () => new Promise((resolve) => (waiting = resolve)),
  };
}

describe('mock-cdf CLI', () => {
  it('serves with the given options until stopped, printing URL, project and token', async () => {
    const stdout = capture();
    const stop = new AbortController();
    const printed = stdout.next();
    const exit = runCli(['--port', '0', '--files', '10', '--latency', '5', '--jitter', '2', '--project', 'p1', '--token', 't1', '--seed', '3'], {
      stdout: stdout.stream,
      signal: stop.signal,
    });
    const text = await printed;
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(text)?.[1];
    expect(url).toBeDefined();
    expect(text).toContain('project: p1');
    expect(text).toContain('token:   t1');
    expect(text).toContain('10 files, 200 assets');
    const response = await fetch(`${url}/api/v1/projects/p1/files/byids`, {
      method: 'POST',
      headers: { authorization: 'Bearer t1' },
      body: JSON.stringify({ items: [{ id: 1 }], ignoreUnknownIds: true }),
    });
    expect(await response.json()).toEqual({ items: [] });
    stop.abort();
    expect(await exit).toBe(0);
    expect(stdout.text()).toContain('mock-cdf stopped');
    await expect(fetch(`${url}/`)).rejects.toThrow();
  });

  it('exits 1 with one line, no stack trace, when its port is taken', async () => {
    const taken = await start();
    const port = new URL(taken.url).port;
    const stdout = capture();
    const stderr = capture();
    expect(await runCli(['--port', port], { stdout: stdout.stream, stderr: stderr.stream })).toBe(1);
    expect(stderr.text()).toBe(`mock-cdf: port ${port} on 127.0.0.1 is already in use; choose another --port, or --port 0 for a free one\n`);
    expect(stdout.text()).toBe('');
  });

  it('reads --log-limit into the options', () => {
    expect(parseCliArgs(['--log-limit', '3'])).toMatchObject({ run: 'serve', options: { logLimit: 3 } });
    expect(parseCliArgs([])).toEqual({ run: 'serve', options: { counts: {}, latency: {} } });
  });

  it('runs its self-check and exits 0 when every check passes', async () => {
    const stdout = capture();
    expect(await runCli(['--self-check'], { stdout: stdout.stream })).toBe(0);
    const lines = stdout.text().trimEnd().split('\n');
    expect(lines[0]).toMatch(/^check\s+expected\s+got\s+ok$/);
    expect(lines.slice(1, -1).every((line) => line.endsWith(' ok'))).toBe(true);
    expect(lines.slice(1, -1).map((line) => line.split(/\s{2,}/)[0])).toEqual([
      'known id, externalId, instanceId',
      'unknown id',
      'unknown id, ignoreUnknownIds',
      'duplicate id',
      'one file by id and externalId',
      'over the concurrency limit',
      'unknown token',
      'unique x-request-id on every answer',
    ]);
    expect(lines.at(-1)).toBe('all 8 checks passed');
  });

  it('prints usage for --help', async () => {
    const stdout = capture();
    expect(await runCli(['--help'], { stdout: stdout.stream })).toBe(0);
    expect(stdout.text()).toMatch(/^Usage: mock-cdf \[options\]/);
    for (const flag of ['--port', '--files', '--latency', '--jitter', '--concurrency-limit', '--seed', '--project', '--token', '--shuffle', '--retry-after', '--log-limit', '--self-check']) {
      expect(stdout.text()).toContain(flag);
    }
  });

  it.each([
    [['--bogus'], "mock-cdf: Unknown option '--bogus'"],
    [['--port', 'abc'], "mock-cdf: --port must be an integer from 0 to 65535, got 'abc'"],
    [['--files=-5'], "mock-cdf: --files must be an integer from 0 to 9007199254740991, got '-5'"],
    [['--latency', 'soon'], "mock-cdf: --latency must be a non-negative number of ms, got 'soon'"],
    [['--concurrency-limit', '0'], "mock-cdf: --concurrency-limit must be an integer from 1 to 9007199254740991, got '0'"],
    [['--rate-limit', '10'], "mock-cdf: --rate-limit must look like <requests>/<ms>, got '10'"],
    [['--log-limit=-1'], "mock-cdf: --log-limit must be an integer from 0 to 9007199254740991, got '-1'"],
    [['serve'], 'mock-cdf: Unexpected argument'],
  ])('rejects %j with one clear message and exit code 2', async (argv, message) => {
    const stdout = capture();
    const stderr = capture();
    expect(await runCli(argv, { stdout: stdout.stream, stderr: stderr.stream })).toBe(2);
    expect(stderr.text().split('\n')[0]).toContain(message);
    expect(stderr.text()).toContain("Run 'mock-cdf --help' for usage.");
    expect(stdout.text()).toBe('');
  });
});
