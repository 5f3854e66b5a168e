import { inspect } from 'node:util';
import { describe, expect, test, vi } from 'vitest';
import { CdfApiError, createConcurrencyLimit, createFilesLoader, type RequestEvent, TokenProviderError } from '../src/index.js';
import { byIdsRequests, optionsFor, until, useMockCdf } from './support.js';

const VALID = 'fresh-token';
const cdf = useMockCdf({ counts: { files: 200 }, tokens: { [VALID]: {} } });

/** getToken that hands out `tokens` in turn, then keeps giving the last one. */
function tokensInTurn(...tokens: string[]) {
  let call = 0;
  return vi.fn(async () => tokens[Math.min(call++, tokens.length - 1)]!);
}

describe('auth', () => {
  test('a 401 gets one new token and a replay', async () => {
    const getToken = tokensInTurn('expired-token', VALID);
    const loader = createFilesLoader(optionsFor(cdf(), { getToken }));
    const file = cdf().data.files[0]!;

    expect(await loader.load({ id: file.id })).toEqual(file);
    expect(byIdsRequests(cdf()).map((entry) => [entry.token, entry.status])).toEqual([
      ['expired-token', 401],
      [VALID, 200],
    ]);
    expect(getToken.mock.calls).toEqual([[{ refused: false }], [{ refused: true }]]);
    expect(loader.stats()).toMatchObject({ requests: 2, retries: 0 }); // the 401 and its replay
  });

  test('100 requests meeting a 401 together cause one `getToken` call', async () => {
    const getToken = tokensInTurn('expired-token', VALID);
    const loader = createFilesLoader(optionsFor(cdf(), { getToken, maxBatchSize: 1, maxConcurrency: 100 }));
    const files = cdf().data.files.slice(0, 100);

    expect(await Promise.all(files.map((file) => loader.load({ id: file.id })))).toEqual(files);
    const requests = byIdsRequests(cdf());
    expect(requests.filter((entry) => entry.status === 401)).toHaveLength(100);
    expect(requests.filter((entry) => entry.status === 200 && entry.token === VALID)).toHaveLength(100);
    expect(getToken).toHaveBeenCalledTimes(2);
  });

  test('a second 401 fails the chunk with status 401', async () => {
    const getToken = tokensInTurn('revoked-token');
    const loader = createFilesLoader(optionsFor(cdf(), { getToken }));
    const error = (await loader.load({ id: 5 }).catch((reason: unknown) => reason)) as CdfApiError;

    expect(error).toBeInstanceOf(CdfApiError);
    expect(error.status).toBe(401);
    const [, replay] = byIdsRequests(cdf());
    expect(error.requestId).toBe(replay!.requestId);
    expect(error.message).toBe(
      `CDF files/byids failed with 401: Unauthorized; a new token from \`getToken\` was refused too (request id ${replay!.requestId})`,
    );
    expect(byIdsRequests(cdf())).toHaveLength(2);
    expect(getToken).toHaveBeenCalledTimes(2);
  });

  test('the token never appears in an error, its cause chain, the stats or the hook', async () => {
    const refusedSecret = 'secret-token-7f3a9c';
    const events: RequestEvent[] = [];
    const onRequest = (event: RequestEvent): number => events.push(event);
    const refusing = createFilesLoader(optionsFor(cdf(), { getToken: () => refusedSecret, onRequest }));
    const accepted = createFilesLoader(optionsFor(cdf(), { getToken: () => VALID, retry: { limit: 0 }, cache: false, onRequest }));
    cdf().addFault({ request: 3, drop: true });
    cdf().addFault({ request: 4, status: 502, rawBody: '<html>bad gateway</html>' });
    cdf().addFault({ request: 5, status: 400, body: { error: { code: 400, message: 'bad', missing: [{ id: 5 }] } } });

    const errors = [await refusing.load({ id: 5 }).catch((reason: unknown) => reason)]; // requests 1 and 2: 401 twice
    for (let attempt = 0; attempt < 3; attempt++) errors.push(await accepted.load({ id: 5 }).catch((reason: unknown) => reason));

    expect(errors.map((error) => (error as CdfApiError).status)).toEqual([401, 0, 502, 400]);
    for (const error of errors) {
      let link: unknown = error;
      for (let depth = 0; link !== undefined && depth < 10; depth++) {
        for (const secret of [refusedSecret, VALID]) {
          expect(inspect(link, { depth: 10, showHidden: true })).not.toContain(secret);
          expect(JSON.stringify(link, Object.getOwnPropertyNames(link))).not.toContain(secret);
        }
        link = (link as { cause?: unknown }).cause;
      }
    }
    for (const secret of [refusedSecret, VALID]) {
      expect(JSON.stringify([refusing.stats(), accepted.stats()])).not.toContain(secret);
      expect(JSON.stringify(events)).not.toContain(secret);
    }
  });

  test('`getToken` resolving to something other than a string fails the chunk, naming the rule', async () => {
    const loader = createFilesLoader(optionsFor(cdf(), { getToken: async () => undefined as unknown as string }));
    const error = (await loader.load({ id: 5 }).catch((reason: unknown) => reason)) as TokenProviderError;
    expect(error).toBeInstanceOf(TokenProviderError);
    expect(error.message).toBe('`getToken` must resolve to a non-empty string, got undefined.');
  });

  test('a `getToken` that throws synchronously fails that request only; the next one asks again', async () => {
    let calls = 0;
    const getToken = (): string => {
      calls++;
      if (calls === 1) throw new Error('no session yet');
      return VALID;
    };
    const loader = createFilesLoader(optionsFor(cdf(), { getToken }));
    const file = cdf().data.files[0]!;
    await expect(loader.load({ id: file.id })).rejects.toThrow(new TokenProviderError('`getToken` failed: no session yet'));
    expect(await loader.load({ id: file.id })).toEqual(file);
    expect(calls).toBe(2);
  });

  test('a token no HTTP header can carry is refused without being sent or echoed', async () => {
    const pasted = 'eyJhbGc.SECRET\r\nPART';
    const loader = createFilesLoader(optionsFor(cdf(), { getToken: () => pasted }));
    const error = (await loader.load({ id: 5 }).catch((reason: unknown) => reason)) as TokenProviderError;

    expect(error).toBeInstanceOf(TokenProviderError);
    expect(error.message).toBe(
      '`getToken` resolved to a token an HTTP header cannot carry: the character at position 14 of 20 is a control or non-Latin-1 character (a pasted line break?).',
    );
    expect(inspect(error, { depth: 10 })).not.toContain('SECRET');
    expect(byIdsRequests(cdf())).toHaveLength(0);
    expect(loader.stats()).toMatchObject({ requests: 0, retries: 0 });
  });

  test('a `getToken` call that never settles is bounded by `timeoutMs` and forgotten: the next attempt asks again', async () => {
    const file = cdf().data.files[0]!;
    const getToken = vi.fn<() => Promise<string> | string>().mockReturnValueOnce(new Promise<string>(() => {})).mockReturnValue(VALID);
    const loader = createFilesLoader(optionsFor(cdf(), { getToken, timeoutMs: 50, retry: { limit: 0 } }));

    await expect(loader.load({ id: file.id })).rejects.toThrow(
      new TokenProviderError('`getToken` did not answer within 50 ms (`timeoutMs`); the next attempt asks again'),
    );
    expect(await loader.load({ id: file.id })).toEqual(file);
    expect(getToken).toHaveBeenCalledTimes(2);
  });

  test('a hung `getToken` costs one attempt: the retry asks again and the load succeeds', async () => {
    const file = cdf().data.files[1]!;
    const getToken = vi.fn<() => Promise<string> | string>().mockReturnValueOnce(new Promise<string>(() => {})).mockReturnValue(VALID);
    const loader = createFilesLoader(optionsFor(cdf(), { getToken, timeoutMs: 50, retry: { limit: 1, baseDelayMs: 0, maxDelayMs: 0 } }));

    expect(await loader.load({ id: file.id })).toEqual(file);
    expect(getToken).toHaveBeenCalledTimes(2);
    expect(loader.stats()).toMatchObject({ retries: 1, requests: 1 });
  });

  test('waiting for `getToken` counts against `timeoutMs`, and gives the slot back when every caller aborts', async () => {
    const limiter = createConcurrencyLimit({ maxConcurrency: 1 });
    const loader = createFilesLoader(optionsFor(cdf(), { getToken: () => new Promise<string>(() => {}), limiter, timeoutMs: 50, retry: { limit: 0 } }));
    await expect(loader.load({ id: 5 })).rejects.toThrow(new TokenProviderError('`getToken` did not answer within 50 ms (`timeoutMs`); the next attempt asks again'));

    const slow = createFilesLoader(optionsFor(cdf(), { getToken: () => new Promise<string>(() => {}), limiter }));
    const controller = new AbortController();
    const load = slow.load({ id: 5 }, { signal: controller.signal });
    await until(() => limiter.active === 1, 'the attempt to take the slot');
    controller.abort();
    await expect(load).rejects.toMatchObject({ name: 'AbortError' });
    await until(() => limiter.active === 0, 'the slot to be given back');
  });
});
