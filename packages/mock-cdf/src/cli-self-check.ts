import type { CliIo } from './cli-serve.js';
import { startMockCdf, type MockCdf } from './server.js';

interface CheckResult {
  check: string;
  expected: string;
  got: string;
}

interface ReplyBody {
  items?: unknown[];
  error?: { missing?: unknown[]; duplicated?: unknown[] };
}

/** Exercises the fake's main behaviours over real HTTP, in order; each result says what was expected and what came. */
async function runChecks(mock: MockCdf): Promise<CheckResult[]> {
  const requestIds: (string | null)[] = [];
  const send = async (body: unknown, token = mock.token): Promise<Response> => {
    const response = await fetch(`${mock.url}/api/v1/projects/${mock.project}/files/byids`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    requestIds.push(response.headers.get('x-request-id'));
    return response;
  };
  const post = async (body: unknown, token?: string): Promise<{ status: number; body: ReplyBody }> => {
    const response = await send(body, token);
    return { status: response.status, body: (await response.json()) as ReplyBody };
  };
  const ids = (items: unknown[] | undefined): string => JSON.stringify((items ?? []).map((item) => (item as { id: number }).id));
  const results: CheckResult[] = [];
  const check = (name: string, expected: string, got: string): void => void results.push({ check: name, expected, got });

  const { files } = mock.data;
  const first = files[0];
  const second = files.find((f) => f !== first && f.externalId);
  // Three different files: one file named twice is a duplicate.
  const third = files.find((f) => f !== first && f !== second && f.instanceId);
  if (!first || !second?.externalId || !third?.instanceId) throw new Error('generated data lacks an externalId or instanceId');
  const known = [{ id: first.id }, { externalId: second.externalId }, { instanceId: third.instanceId }];
  const unknown = { id: 1 };

  let reply = await post({ items: known });
  check('known id, externalId, instanceId', `200 ${ids([first, second, third])}`, `${reply.status} ${ids(reply.body.items)}`);
  reply = await post({ items: [known[0], unknown] });
  check('unknown id', `400 missing ${JSON.stringify([unknown])}`, `${reply.status} missing ${JSON.stringify(reply.body.error?.missing)}`);
  reply = await post({ items: [known[0], unknown], ignoreUnknownIds: true });
  check('unknown id, ignoreUnknownIds', `200 ${ids([first])}`, `${reply.status} ${ids(reply.body.items)}`);
  reply = await post({ items: [known[0], known[0]] });
  check('duplicate id', `400 duplicated ${JSON.stringify([known[0]])}`, `${reply.status} duplicated ${JSON.stringify(reply.body.error?.duplicated)}`);
  const aliasOfSecond = { id: second.id };
  reply = await post({ items: [aliasOfSecond, known[1]] });
  check('one file by id and externalId', `400 duplicated ${JSON.stringify([known[1]])}`, `${reply.status} duplicated ${JSON.stringify(reply.body.error?.duplicated)}`);

  // A slow body keeps the first request in flight after its headers arrive, so the second is surely over the limit.
  mock.configure({ concurrencyLimit: 1 });
  mock.addFault({ slowBodyMs: 200, times: 1 });
  const slow = await send({ items: known });
  reply = await post({ items: known });
  await slow.arrayBuffer();
  check('over the concurrency limit', '429', String(reply.status));
  mock.configure({ concurrencyLimit: Infinity });

  reply = await post({ items: known }, 'not-a-token');
  check('unknown token', '401', String(reply.status));
  const unique = new Set(requestIds).size === requestIds.length && requestIds.every((id) => id !== null);
  check('unique x-request-id on every answer', 'yes', unique ? 'yes' : 'no');
  return results;
}

/** Prints the results as a table and a summary line; resolves to the exit code. */
function report(results: CheckResult[], stdout: CliIo['stdout']): number {
  const rows = [['check', 'expected', 'got', 'ok'], ...results.map((r) => [r.check, r.expected, r.got, r.expected === r.got ? 'ok' : 'FAIL'])];
  const widths = [0, 1, 2].map((column) => Math.max(...rows.map((row) => (row[column] as string).length)));
  for (const row of rows) stdout.write(`${row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd()}\n`);
  const failed = results.filter((r) => r.expected !== r.got).length;
  stdout.write(failed === 0 ? `all ${results.length} checks passed\n` : `${failed} of ${results.length} checks failed\n`);
  return failed === 0 ? 0 : 1;
}

/** Starts a small fake, checks its main behaviours and prints a table; resolves to 0 when every check passes, else 1. */
export async function selfCheck(io: Pick<CliIo, 'stdout'>): Promise<number> {
  const mock = await startMockCdf({ counts: { files: 50, assets: 20, events: 20, timeseries: 20, sequences: 20 } });
  let results: CheckResult[];
  try {
    results = await runChecks(mock);
  } finally {
    await mock.close();
  }
  return report(results, io.stdout);
}
