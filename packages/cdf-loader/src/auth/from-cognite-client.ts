/**
 * `fromCogniteClient`: the connection of an `@cognite/sdk` `CogniteClient` a service already
 * holds, so it does not configure auth twice. Duck-typed: the library does not depend on the SDK.
 */
import { describeValue } from '../options/describe-value.js';
import { TokenProviderError } from '../errors/token-provider-error.js';
import type { GetToken } from './token-source.js';

/** What `fromCogniteClient` reads of a `CogniteClient` (`@cognite/sdk` 9 and 10 have it). */
export interface CogniteClientLike {
  /** The CDF project the client was made for. */
  readonly project: string;
  /** The cluster's URL, such as `https://api.cognitedata.com`. */
  getBaseUrl(): string;
  /**
   * Signs in through the client's `oidcTokenProvider` and returns the token; `undefined` when
   * that failed (the SDK swallows the provider's error).
   */
  authenticate(): Promise<string | undefined>;
}

/** The connection options `fromCogniteClient` gives: spread them into a loader's options. */
export interface CogniteClientConnection {
  baseUrl: string;
  project: string;
  getToken: GetToken;
}

/**
 * `{ baseUrl, project, getToken }` from a `CogniteClient`: its project, its base URL, and a
 * `getToken` that asks the client's `authenticate()`, which calls its `oidcTokenProvider` (as the
 * SDK does itself after a 401, so a refused token is replaced the way the SDK replaces it).
 * @example createCdfLoaders({ ...fromCogniteClient(client), appId: 'my-service' })
 * @throws {TypeError} when `client` has no string `project`, no `getBaseUrl()` or no `authenticate()`.
 */
export function fromCogniteClient(client: CogniteClientLike): CogniteClientConnection {
  const candidate = client as Partial<CogniteClientLike> | null;
  if (
    typeof candidate !== 'object' ||
    candidate === null ||
    typeof candidate.project !== 'string' ||
    typeof candidate.getBaseUrl !== 'function' ||
    typeof candidate.authenticate !== 'function'
  ) {
    throw new TypeError(
      `\`fromCogniteClient\` needs a CogniteClient from @cognite/sdk (an object with a string \`project\`, \`getBaseUrl()\` and \`authenticate()\`), got ${describeValue(client)}.`,
    );
  }
  return {
    baseUrl: client.getBaseUrl(),
    project: client.project,
    getToken: async () => {
      const token = await client.authenticate();
      if (typeof token !== 'string' || token === '') {
        throw new TokenProviderError(
          "the CogniteClient could not sign in: its `authenticate()` returned no token (the SDK swallows the error of the client's `oidcTokenProvider`; check that provider)",
        );
      }
      return token;
    },
  };
}
