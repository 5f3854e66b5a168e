import {
  DEFAULT_CLIENT_ID,
  DEFAULT_CLIENT_SECRET,
  startMockCdf,
  startTokenEndpoint,
  type MockCdf,
  type TokenEndpoint,
  type TokenEndpointOptions,
} from '@cdf-loader/mock-cdf';
import { inspect } from 'node:util';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { CdfLoaderError, clientCredentials, type ClientCredentialsOptions, createFilesLoader, TokenProviderError } from '../src/index.js';

const SCOPE = 'https://westeurope-1.cognitedata.com/.default';

const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function tokenEndpoint(options: TokenEndpointOptions = {}): Promise<TokenEndpoint> {
  const endpoint = await startTokenEndpoint(options);
  servers.push(endpoint);
  return endpoint;
}

async function mockCdf(tokens: string[]): Promise<MockCdf> {
  const cdf = await startMockCdf({ counts: { files: 20 }, tokens: Object.fromEntries(tokens.map((token) => [token, {}])) });
  servers.push(cdf);
  return cdf;
}

function provider(tokenUrl: string, extra: Partial<ClientCredentialsOptions> = {}) {
  return clientCredentials({ tokenUrl, clientId: DEFAULT_CLIENT_ID, clientSecret: DEFAULT_CLIENT_SECRET, scopes: [SCOPE], ...extra });
}

async function rejection(promise: Promise<unknown>): Promise<TokenProviderError> {
  const error: unknown = await promise.then(
    () => expect.fail('expected a rejection'),
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(TokenProviderError);
  return error as TokenProviderError;
}

/** Every way an error gets printed or logged. */
function renderings(error: Error): string[] {
  return [error.message, error.stack ?? '', JSON.stringify(error), inspect(error, { depth: Infinity, showHidden: true })];
}

describe('clientCredentials: the grant', () => {
  test('posts a form-encoded client credentials grant and returns the access token', async () => {
    const endpoint = await tokenEndpoint();
    const getToken = provider(endpoint.url, { scopes: [SCOPE, 'offline_access'], audience: 'https://westeurope-1.cognitedata.com' });

    expect(await getToken()).toBe('mock-access-token-1');
    expect(endpoint.requests).toHaveLength(1);
    expect(endpoint.requests[0]).toMatchObject({ method: 'POST', contentType: 'application/x-www-form-urlencoded', status: 200 });
    expect(endpoint.requests[0]?.form).toEqual({
      grant_type: 'client_credentials',
      client_id: DEFAULT_CLIENT_ID,
      client_secret: DEFAULT_CLIENT_SECRET,
      scope: `${SCOPE} offline_access`,
      audience: 'https://westeurope-1.cognitedata.com',
    });
  });

  test('takes the scopes as one string separated by spaces, as OAuth writes them', async () => {
    const endpoint = await tokenEndpoint({ scopes: [SCOPE, 'offline_access'] });
    expect(await provider(endpoint.url, { scopes: ` ${SCOPE}   offline_access ` })()).toBe('mock-access-token-1');
    expect(endpoint.requests[0]?.form.scope).toBe(`${SCOPE} offline_access`);
  });

  test('20 concurrent callers share one request', async () => {
    const endpoint = await tokenEndpoint();
    const getToken = provider(endpoint.url);
    const tokens = await Promise.all(Array.from({ length: 20 }, (_, index) => getToken({ refused: false }).then((token) => [index, token])));
    expect(tokens).toEqual(Array.from({ length: 20 }, (_, index) => [index, 'mock-access-token-1']));
    expect(endpoint.requests).toHaveLength(1);
  });
});

describe('clientCredentials: expiry', () => {
  test('keeps the token until a minute before it expires', async () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    const endpoint = await tokenEndpoint({ expiresInS: 3600 });
    const getToken = provider(endpoint.url);

    expect(await getToken()).toBe('mock-access-token-1');
    vi.advanceTimersByTime(3_540_000 - 1);
    expect(await getToken()).toBe('mock-access-token-1');
    vi.advanceTimersByTime(1);
    expect(await getToken()).toBe('mock-access-token-2');
    expect(await getToken()).toBe('mock-access-token-2');
    expect(endpoint.requests).toHaveLength(2);
  });

  test('refreshes a short-lived token a tenth of its lifetime before it expires', async () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    const endpoint = await tokenEndpoint({ expiresInS: 2 });
    const getToken = provider(endpoint.url);

    expect(await getToken()).toBe('mock-access-token-1');
    vi.advanceTimersByTime(1_799);
    expect(await getToken()).toBe('mock-access-token-1');
    vi.advanceTimersByTime(1);
    expect(await getToken()).toBe('mock-access-token-2');
  });

  test('`refreshMarginMs` sets the margin', async () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    const endpoint = await tokenEndpoint({ expiresInS: 3600 });
    const getToken = provider(endpoint.url, { refreshMarginMs: 0 });

    expect(await getToken()).toBe('mock-access-token-1');
    vi.advanceTimersByTime(3_600_000 - 1);
    expect(await getToken()).toBe('mock-access-token-1');
    vi.advanceTimersByTime(1);
    expect(await getToken()).toBe('mock-access-token-2');
  });

  test('reads `expires_in` sent as a string, and assumes five minutes when there is none', async () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    const endpoint = await tokenEndpoint();
    endpoint.addFault({ status: 200, body: { access_token: 'string-lifetime', token_type: 'Bearer', expires_in: '120' } });
    endpoint.addFault({ status: 200, body: { access_token: 'no-lifetime', token_type: 'Bearer' } });
    const getToken = provider(endpoint.url);

    expect(await getToken()).toBe('string-lifetime');
    vi.advanceTimersByTime(108_000 - 1); // 120 s less a tenth
    expect(await getToken()).toBe('string-lifetime');
    vi.advanceTimersByTime(1);
    expect(await getToken()).toBe('no-lifetime');
    vi.advanceTimersByTime(270_000 - 1); // 300 s less a tenth
    expect(await getToken()).toBe('no-lifetime');
    vi.advanceTimersByTime(1);
    expect(await getToken()).toBe('mock-access-token-1');
  });
});

describe('clientCredentials: refused tokens', () => {
  test('a refused token is replaced at once, and concurrent refusals share one request', async () => {
    const endpoint = await tokenEndpoint();
    const getToken = provider(endpoint.url);

    expect(await getToken({ refused: false })).toBe('mock-access-token-1');
    expect(await getToken({ refused: false })).toBe('mock-access-token-1');
    expect(await Promise.all([getToken({ refused: true }), getToken({ refused: true }), getToken({ refused: false })])).toEqual([
      'mock-access-token-2',
      'mock-access-token-2',
      'mock-access-token-2',
    ]);
    expect(endpoint.requests).toHaveLength(2);
  });

  test('a refusal while a request is under way shares it: that request started after the refused token was issued', async () => {
    const endpoint = await tokenEndpoint();
    const getToken = provider(endpoint.url);

    expect(await getToken()).toBe('mock-access-token-1');
    expect(await Promise.all([getToken({ refused: true }), getToken({ refused: true })])).toEqual(['mock-access-token-2', 'mock-access-token-2']);
    expect(endpoint.requests).toHaveLength(2);
  });
});

describe('clientCredentials: errors', () => {
  test('a wrong secret: the identity provider refused the client credentials, with its code and words', async () => {
    const endpoint = await tokenEndpoint();
    const error = await rejection(provider(endpoint.url, { clientSecret: 'not-the-secret' })());

    expect(error.message).toBe(`Identity provider refused the client credentials grant: 401 invalid_client: Client authentication failed. (${endpoint.url})`);
    expect(error).toBeInstanceOf(CdfLoaderError);
    expect(error).toMatchObject({ name: 'TokenProviderError', status: 401, code: 'invalid_client' });
    expect(endpoint.requests).toHaveLength(1);
  });

  test('the secret never appears in the error, even when the identity provider echoes it', async () => {
    // Characters that form-encoding changes, so the echo of the request body differs from the secret.
    const secret = 'Zq8~cc+secret/7f3a=&';
    const endpoint = await tokenEndpoint({ clients: { [DEFAULT_CLIENT_ID]: 'the-right-one' } });
    endpoint.addFault({
      status: 401,
      body: {
        error: 'invalid_client',
        error_description: `AADSTS7000215: Invalid client secret '${secret}' provided. Body: client_secret=${new URLSearchParams({ s: secret }).toString().slice(2)}`,
      },
    });
    const error = await rejection(provider(endpoint.url, { clientSecret: secret })());

    expect(error.message).toBe(
      `Identity provider refused the client credentials grant: 401 invalid_client: AADSTS7000215: Invalid client secret '***' provided. Body: client_secret=*** (${endpoint.url})`,
    );
    expect(endpoint.requests[0]?.form.client_secret).toBe(secret);
    for (const text of renderings(error)) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(encodeURIComponent(secret));
    }
  });

  test('a scope the identity provider does not know: 400 invalid_scope', async () => {
    const endpoint = await tokenEndpoint({ scopes: [SCOPE] });
    const error = await rejection(provider(endpoint.url, { scopes: ['https://api.cognitedata.com/.default'] })());

    expect(error.message).toBe(
      `Identity provider refused the client credentials grant: 400 invalid_scope: The scope 'https://api.cognitedata.com/.default' is not valid for client '${DEFAULT_CLIENT_ID}'. (${endpoint.url})`,
    );
    expect(error).toMatchObject({ status: 400, code: 'invalid_scope' });
  });

  test('a wrong `tokenUrl`: the start of what answered instead', async () => {
    const endpoint = await tokenEndpoint();
    const wrongUrl = endpoint.url.replace('/oauth2/token', '/oauth2/v2.0/token');
    const error = await rejection(provider(`${wrongUrl}?tenant=x`)());

    expect(error.message).toBe(`Identity provider failed to issue a token: 404 Not Found (${wrongUrl})`);
    expect(error).toMatchObject({ status: 404, code: undefined });
  });

  test('429 and 5xx are tried again, twice at most', async () => {
    const endpoint = await tokenEndpoint();
    endpoint.addFault({ status: 503, body: { error: 'temporarily_unavailable', error_description: 'Try again.' } });
    expect(await provider(endpoint.url)()).toBe('mock-access-token-1');
    expect(endpoint.requests.map((request) => request.status)).toEqual([503, 200]);

    for (let fault = 0; fault < 3; fault++) endpoint.addFault({ status: 429, body: { error: 'temporarily_unavailable', error_description: 'Too many requests.' } });
    const error = await rejection(provider(endpoint.url)());
    expect(error.message).toBe(`Identity provider failed to issue a token after 3 attempts: 429 temporarily_unavailable: Too many requests. (${endpoint.url})`);
    expect(error).toMatchObject({ status: 429, code: 'temporarily_unavailable' });
    expect(endpoint.requests.map((request) => request.status)).toEqual([503, 200, 429, 429, 429]);
  });

  test('an answer without an access_token is described, never shown', async () => {
    const endpoint = await tokenEndpoint();
    endpoint.addFault({ status: 200, body: { accessToken: 'camel-cased-token', expires_in: 3600 } });
    endpoint.addFault({ status: 200, body: { access_token: '', expires_in: 3600 } });
    endpoint.addFault({ status: 200, rawBody: '<html>Sign in</html>' });
    const getToken = provider(endpoint.url);

    const errors = [await rejection(getToken()), await rejection(getToken()), await rejection(getToken())];
    expect(errors.map((error) => error.message)).toEqual([
      `Identity provider answered 200 without an access_token: it sent the fields "accessToken", "expires_in" (${endpoint.url})`,
      `Identity provider answered 200 without an access_token: it sent an access_token that is an empty string (${endpoint.url})`,
      `Identity provider answered 200 without an access_token: it sent a body that is not a JSON object (text/html; charset=utf-8, 20 characters) (${endpoint.url})`,
    ]);
    for (const text of renderings(errors[0]!)) expect(text).not.toContain('camel-cased-token');
  });

  test('an identity provider that cannot be reached: what the network said, after three attempts', async () => {
    const endpoint = await startTokenEndpoint();
    await endpoint.close();
    const port = new URL(endpoint.url).port;
    const error = await rejection(provider(endpoint.url)());

    expect(error.message).toBe(
      `Could not reach the identity provider after 3 attempts: fetch failed: connect ECONNREFUSED 127.0.0.1:${port} (${endpoint.url})`,
    );
    expect(error.status).toBeUndefined();
    expect(error.cause).toBeInstanceOf(TypeError);
  });

  test('an identity provider that never answers costs `timeoutMs`, no more', async () => {
    const endpoint = await tokenEndpoint();
    endpoint.addFault({ hang: true });
    const getToken = provider(endpoint.url, { timeoutMs: 100 });

    const started = performance.now();
    const [first, second] = await Promise.all([rejection(getToken()), rejection(getToken())]);
    const elapsed = performance.now() - started;

    expect(first.message).toBe(`Identity provider did not answer within 100 ms (${endpoint.url})`);
    expect(second).toBe(first);
    expect(elapsed).toBeGreaterThanOrEqual(99);
    expect(elapsed).toBeLessThan(1_000);
    expect(endpoint.requests).toHaveLength(1);
    // Not kept: the next call asks again.
    expect(await getToken()).toBe('mock-access-token-1');
  });

  test('a timeout after a retried answer says what the last attempt met', async () => {
    const endpoint = await tokenEndpoint();
    endpoint.addFault({ status: 503, body: { error: 'temporarily_unavailable', error_description: 'Busy.' } });
    endpoint.addFault({ hang: true });
    const error = await rejection(provider(endpoint.url, { timeoutMs: 1_000 })());

    expect(error.message).toBe(
      `Identity provider did not issue a token within 1000 ms; the last attempt answered 503 temporarily_unavailable: Busy. (${endpoint.url})`,
    );
    expect(endpoint.requests.map((request) => request.status)).toEqual([503, null]);
  });
});

describe('clientCredentials: options', () => {
  const valid: ClientCredentialsOptions = { tokenUrl: 'https://login.example/token', clientId: 'app', clientSecret: 'hush-hush-7f3a9c', scopes: [SCOPE] };

  test.each([
    [{ tokenUrl: 'login.example/token' }, "`tokenUrl` must be an http(s) URL such as 'https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token', got \"login.example/token\"."],
    [{ tokenUrl: 'ftp://login.example/token' }, "`tokenUrl` must be an http(s) URL such as 'https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token', got \"ftp://login.example/token\"."],
    [{ tokenUrl: 'https://app:hush@login.example/token' }, "`tokenUrl` must not hold a user name or password (fetch refuses such URLs): give the client's as `clientId` and `clientSecret`."],
    [{ clientId: '' }, '`clientId` must be a non-empty string, got "".'],
    [{ clientSecret: '' }, '`clientSecret` must be a non-empty string, got an empty string.'],
    [{ clientSecret: 42 }, '`clientSecret` must be a non-empty string, got a value of type number.'],
    [{ clientSecret: undefined }, '`clientSecret` must be a non-empty string, got undefined.'],
    [{ clientSecret: 'hush-hush-7f3a9c\n' }, '`clientSecret` starts or ends with whitespace (a line break read from a file?): trim it. It has 17 characters; its value is never shown.'],
    [{ scopes: [] }, "`scopes` must be a non-empty array of scopes, or one string of scopes separated by spaces, such as ['https://westeurope-1.cognitedata.com/.default'], got []."],
    [{ scopes: '  ' }, "`scopes` must be a non-empty array of scopes, or one string of scopes separated by spaces, such as ['https://westeurope-1.cognitedata.com/.default'], got \"  \"."],
    [{ scopes: [SCOPE, 'a b'] }, '`scopes[1]` must be one scope: a non-empty string without spaces, got "a b".'],
    [{ audience: '' }, '`audience` must be a non-empty string, got "".'],
    [{ timeoutMs: 0 }, '`timeoutMs` must be a number of milliseconds from 1 to 2147483647 (what a timer holds), got 0.'],
    [{ timeoutMs: 2 ** 31 }, '`timeoutMs` must be a number of milliseconds from 1 to 2147483647 (what a timer holds), got 2147483648.'],
    [{ refreshMarginMs: -1 }, '`refreshMarginMs` must be a number of milliseconds from 0 to 2147483647 (what a timer holds), got -1.'],
    [{ fetch: 'fetch' }, '`fetch` must be a function, got "fetch".'],
    [{ scope: SCOPE }, 'Unknown option `scope`; did you mean `scopes`?'],
  ])('%j is refused at once', (change, message) => {
    expect(() => clientCredentials({ ...valid, ...change } as ClientCredentialsOptions)).toThrow(new TypeError(message));
  });

  test('the secret is never shown, however the options are wrong', () => {
    for (const change of [{ clientSecret: ` ${valid.clientSecret}` }, { scopes: [] }, { tokenUrl: 'nope' }, { timeoutMs: -1 }]) {
      const error = (() => {
        try {
          clientCredentials({ ...valid, ...change } as ClientCredentialsOptions);
        } catch (thrown) {
          return thrown as Error;
        }
        return expect.fail('expected a TypeError');
      })();
      for (const text of renderings(error)) expect(text).not.toContain(valid.clientSecret);
    }
  });

  test('not an object', () => {
    expect(() => clientCredentials(undefined as unknown as ClientCredentialsOptions)).toThrow(
      new TypeError('`clientCredentials` takes an object with `tokenUrl`, `clientId`, `clientSecret` and `scopes`, got undefined.'),
    );
  });
});

describe('clientCredentials with a loader and the fake CDF', () => {
  test('a burst of loads gets one token and one byids request', async () => {
    const cdf = await mockCdf(['mock-access-token-1']);
    const endpoint = await tokenEndpoint();
    const files = createFilesLoader({ baseUrl: cdf.url, project: cdf.project, getToken: provider(endpoint.url) });
    const expected = cdf.data.files.slice(0, 5);

    expect(await Promise.all(expected.map((file) => files.load({ id: file.id })))).toEqual(expected);
    expect(endpoint.requests).toHaveLength(1);
    expect(cdf.log.map((entry) => [entry.token, entry.status])).toEqual([['mock-access-token-1', 200]]);
  });

  test('a token CDF refuses is replaced at once, and the request replayed', async () => {
    const cdf = await mockCdf(['mock-access-token-2']);
    const endpoint = await tokenEndpoint();
    const files = createFilesLoader({ baseUrl: cdf.url, project: cdf.project, getToken: provider(endpoint.url) });
    const file = cdf.data.files[0]!;

    expect(await files.load({ id: file.id })).toEqual(file);
    expect(endpoint.requests.map((request) => request.issued)).toEqual(['mock-access-token-1', 'mock-access-token-2']);
    expect(cdf.log.map((entry) => [entry.token, entry.status])).toEqual([
      ['mock-access-token-1', 401],
      ['mock-access-token-2', 200],
    ]);
  });
});
