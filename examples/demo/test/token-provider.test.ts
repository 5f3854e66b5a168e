import { describe, expect, it } from 'vitest';
import { createClientCredentialsTokenProvider } from '../src/index.js';
import { startTokenServer } from './support.js';

const SECRET = 'client-secret-7f3a9c';

function provider(tokenUrl: string, now: () => number = Date.now) {
  return createClientCredentialsTokenProvider({ tokenUrl, clientId: 'demo-client', clientSecret: SECRET, scopes: 'https://api.example/.default', now });
}

describe('client credentials token provider', () => {
  it('posts a form-encoded client_credentials grant and returns the access token', async () => {
    const server = await startTokenServer(() => ({ status: 200, body: { access_token: 'token-1', token_type: 'Bearer', expires_in: 3600 } }));
    expect(await provider(server.url)()).toBe('token-1');
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.contentType).toMatch(/^application\/x-www-form-urlencoded/);
    expect(server.requests[0]?.form).toEqual({
      grant_type: 'client_credentials',
      client_id: 'demo-client',
      client_secret: SECRET,
      scope: 'https://api.example/.default',
    });
  });

  it('keeps the token and fetches a new one a minute before expiry', async () => {
    const server = await startTokenServer((n) => ({ status: 200, body: { access_token: `token-${n}`, expires_in: 3600 } }));
    let clock = 1_000_000;
    const getToken = provider(server.url, () => clock);
    expect(await getToken()).toBe('token-1');
    clock += 3_539_000; // 61 s left
    expect(await getToken()).toBe('token-1');
    clock += 2_000; // 59 s left
    expect(await getToken()).toBe('token-2');
    expect(server.requests).toHaveLength(2);
  });

  it('refreshes a short-lived token at half its lifetime', async () => {
    const server = await startTokenServer((n) => ({ status: 200, body: { access_token: `token-${n}`, expires_in: '2' } }));
    let clock = 0;
    const getToken = provider(server.url, () => clock);
    expect(await getToken()).toBe('token-1');
    clock = 999;
    expect(await getToken()).toBe('token-1');
    clock = 1_000;
    expect(await getToken()).toBe('token-2');
    clock = 1_999;
    expect(await getToken()).toBe('token-2');
  });

  it('fetches a new token at once when cdf-loader says CDF refused the held one', async () => {
    const server = await startTokenServer((n) => ({ status: 200, body: { access_token: `token-${n}`, expires_in: 3600 } }));
    const getToken = provider(server.url);
    expect(await getToken({ refused: false })).toBe('token-1');
    expect(await getToken({ refused: false })).toBe('token-1');
    expect(await getToken({ refused: true })).toBe('token-2');
    expect(server.requests).toHaveLength(2);
  });

  it('shares one request between concurrent callers', async () => {
    const server = await startTokenServer((n) => ({ status: 200, body: { access_token: `token-${n}`, expires_in: 3600 } }));
    const getToken = provider(server.url);
    expect(await Promise.all([getToken(), getToken(), getToken()])).toEqual(['token-1', 'token-1', 'token-1']);
    expect(server.requests).toHaveLength(1);
  });

  it('names the endpoint and its answer on failure, never the secret', async () => {
    const server = await startTokenServer(() => ({
      status: 401,
      body: { error: 'invalid_client', error_description: `Invalid client secret '${SECRET}' provided.` },
    }));
    await expect(provider(server.url)()).rejects.toThrow(
      `The token endpoint ${server.url} answered 401 (invalid_client: Invalid client secret '***' provided.). ` +
        'Check CDF_TOKEN_URL, CDF_CLIENT_ID, CDF_CLIENT_SECRET and CDF_SCOPES.',
    );
  });

  it('refuses an answer without an access_token', async () => {
    const server = await startTokenServer(() => ({ status: 200, body: { token_type: 'Bearer' } }));
    await expect(provider(server.url)()).rejects.toThrow(`The token endpoint ${server.url} answered without an access_token. Check CDF_TOKEN_URL.`);
  });

  it('says when the endpoint cannot be reached', async () => {
    await expect(provider('http://127.0.0.1:1/token')()).rejects.toThrow(
      /^Could not reach the token endpoint http:\/\/127\.0\.0\.1:1\/token: .+\. Check CDF_TOKEN_URL, CDF_CLIENT_ID, CDF_CLIENT_SECRET and CDF_SCOPES\.$/,
    );
  });
});
