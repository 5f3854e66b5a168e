import * as cogniteSdk from '@cognite/sdk';
import { DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, type MockCdf, startMockCdf, startTokenEndpoint, type TokenEndpoint } from '@cdf-loader/mock-cdf';
import { afterEach, describe, expect, test } from 'vitest';
import { createCdfLoaders, createFilesLoader, fromCogniteClient, TokenProviderError } from '../src/index.js';
import { byIdsRequests } from './support.js';

/**
 * The SDK's `CogniteClient`, as far as these tests use it. Its declaration files import each
 * other without file extensions, which NodeNext resolution cannot follow (TypeScript sees the
 * package as empty, as packages/bench notes); the runtime export is the real client.
 */
interface SdkClient {
  readonly project: string;
  getBaseUrl(): string;
  authenticate(): Promise<string | undefined>;
  getDefaultRequestHeaders(): Record<string, string>;
}
const { CogniteClient } = cogniteSdk as unknown as {
  CogniteClient: new (options: { appId: string; project: string; baseUrl: string; oidcTokenProvider: () => Promise<string> }) => SdkClient;
};

const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function mockCdf(tokens: string[]): Promise<MockCdf> {
  const cdf = await startMockCdf({ counts: { files: 20 }, tokens: Object.fromEntries(tokens.map((token) => [token, {}])) });
  servers.push(cdf);
  return cdf;
}

async function tokenEndpoint(): Promise<TokenEndpoint> {
  const endpoint = await startTokenEndpoint();
  servers.push(endpoint);
  return endpoint;
}

/** An `oidcTokenProvider` as a service writes one: a client-credentials grant at the identity provider. */
function oidcTokenProvider(endpoint: TokenEndpoint): () => Promise<string> {
  return async () => {
    const response = await fetch(endpoint.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: DEFAULT_CLIENT_ID, client_secret: DEFAULT_CLIENT_SECRET }),
    });
    const body = (await response.json()) as { access_token?: string };
    if (body.access_token === undefined) throw new Error(`no token: ${response.status}`);
    return body.access_token;
  };
}

describe('fromCogniteClient, with the real @cognite/sdk', () => {
  test('takes the project, the base URL and the token of a CogniteClient; the constructor fetches no token, the first load does', async () => {
    const cdf = await mockCdf(['mock-access-token-1']);
    const endpoint = await tokenEndpoint();
    const client = new CogniteClient({ appId: 'test', project: cdf.project, baseUrl: cdf.url, oidcTokenProvider: oidcTokenProvider(endpoint) });
    const connection = fromCogniteClient(client);
    expect({ baseUrl: connection.baseUrl, project: connection.project }).toEqual({ baseUrl: cdf.url, project: cdf.project });
    expect(endpoint.requests).toHaveLength(0);

    const files = createFilesLoader({ ...connection, appId: 'my-service' });
    const [file] = cdf.data.files;
    expect(await files.load({ id: file!.id })).toEqual(file);
    expect(endpoint.requests).toHaveLength(1);
    expect(byIdsRequests(cdf).map((entry) => [entry.token, entry.headers['x-cdp-app']])).toEqual([['mock-access-token-1', 'my-service']]);
    // The client itself signed in too: its own calls carry the same token.
    expect(client.getDefaultRequestHeaders().Authorization).toBe('Bearer mock-access-token-1');
  });

  test("after a 401 the loader asks again and the client's authenticate() fetches a new token, as the SDK does itself", async () => {
    // The first token the provider issues is refused (it expired, say), the second accepted.
    const cdf = await mockCdf(['mock-access-token-2']);
    const endpoint = await tokenEndpoint();
    const client = new CogniteClient({ appId: 'test', project: cdf.project, baseUrl: cdf.url, oidcTokenProvider: oidcTokenProvider(endpoint) });
    const set = createCdfLoaders(fromCogniteClient(client));
    const ids = cdf.data.files.slice(0, 3).map((file) => ({ id: file.id }));
    expect(await Promise.all(ids.map((id) => set.files.load(id)))).toEqual(cdf.data.files.slice(0, 3));
    expect(byIdsRequests(cdf).map((entry) => [entry.status, entry.token])).toEqual([
      [401, 'mock-access-token-1'],
      [200, 'mock-access-token-2'],
    ]);
    expect(endpoint.requests.map((request) => request.issued)).toEqual(['mock-access-token-1', 'mock-access-token-2']);
    // The new token is held: more loads ask the identity provider nothing.
    await set.files.load({ id: cdf.data.files[5]!.id });
    expect(endpoint.requests).toHaveLength(2);
    await set.close();
  });

  test('a client that cannot sign in (authenticate() gives undefined) fails loads with a TokenProviderError that says so', async () => {
    const cdf = await mockCdf(['mock-access-token-1']);
    const client = new CogniteClient({
      appId: 'test',
      project: cdf.project,
      baseUrl: cdf.url,
      oidcTokenProvider: () => Promise.reject(new Error('MSAL: interaction required')),
    });
    const files = createFilesLoader(fromCogniteClient(client));
    const error = await files.load({ id: cdf.data.files[0]!.id }).catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(TokenProviderError);
    expect((error as Error).message).toBe(
      "the CogniteClient could not sign in: its `authenticate()` returned no token (the SDK swallows the error of the client's `oidcTokenProvider`; check that provider)",
    );
    expect(byIdsRequests(cdf)).toHaveLength(0);
  });

  test('anything that is not a CogniteClient is refused at once, by what it lacks', () => {
    const message = (value: string) =>
      `\`fromCogniteClient\` needs a CogniteClient from @cognite/sdk (an object with a string \`project\`, \`getBaseUrl()\` and \`authenticate()\`), got ${value}.`;
    expect(() => fromCogniteClient(undefined as never)).toThrow(new TypeError(message('undefined')));
    expect(() => fromCogniteClient({ project: 'p', getBaseUrl: () => 'https://x' } as never)).toThrow(TypeError);
    const duck = { project: 'p', getBaseUrl: () => 'https://api.cognitedata.com', authenticate: () => Promise.resolve('t') };
    expect(fromCogniteClient(duck)).toMatchObject({ project: 'p', baseUrl: 'https://api.cognitedata.com' });
  });
});
