import { CdfApiError } from 'cdf-loader';
import type { GraphQLError } from 'graphql';
import type { YogaLogger } from 'graphql-yoga';
import { describe, expect, it } from 'vitest';
import { at, useGraphQLServer, useMockCdf } from './support.js';

const cdf = useMockCdf({ counts: { files: 20, assets: 5 } });
const logged: { level: keyof YogaLogger; args: unknown[] }[] = [];
const logger: YogaLogger = {
  debug: (...args) => logged.push({ level: 'debug', args }),
  info: (...args) => logged.push({ level: 'info', args }),
  warn: (...args) => logged.push({ level: 'warn', args }),
  error: (...args) => logged.push({ level: 'error', args }),
};
const query = useGraphQLServer(cdf, () => {
  logged.length = 0;
  return { logging: logger };
});

/** What was logged above `debug` (yoga's request tracing). */
const lines = () => logged.filter(({ level }) => level !== 'debug');

describe('logging', () => {
  it("an invalid id is one info line with the code, the path and cdf-loader's message", async () => {
    const reply = await query('{ files(ids: ["abc", "0"]) { id } }');

    const [abc, zero] = reply.body.errors?.map((error) => error.message) ?? [];
    expect(lines()).toEqual([
      { level: 'info', args: [`BAD_USER_INPUT at files.0: ${abc}`] },
      { level: 'info', args: [`BAD_USER_INPUT at files.1: ${zero}`] },
    ]);
  });

  it('a token CDF refuses is one info line', async () => {
    const reply = await query('{ file(id: "1") { id } }', { token: 'not-a-token' });

    expect(reply.status).toBe(401);
    expect(lines()).toEqual([{ level: 'info', args: [`UNAUTHENTICATED at file: ${reply.body.errors?.[0]?.message}`] }]);
  });

  it('a request without a token logs nothing: the 401 says it all', async () => {
    const reply = await query('{ file(id: "1") { id } }', { token: null });

    expect(reply.status).toBe(401);
    expect(lines()).toEqual([]);
  });

  it('a failed CDF request is logged as an error, with its stack', async () => {
    cdf().addFault({ request: 1, status: 500 });

    await query(`{ file(id: "${at(cdf().data.files, 0).id}") { id } }`);

    expect(lines()).toHaveLength(1);
    const [{ level, args } = { level: 'none', args: [] }] = lines();
    const original = (args[0] as GraphQLError | undefined)?.originalError;
    expect(level).toBe('error');
    expect(original).toBeInstanceOf(CdfApiError);
    expect(original?.stack).toMatch(/^CdfApiError: CDF files\/byids failed with 500: .*\n +at /);
  });
});
