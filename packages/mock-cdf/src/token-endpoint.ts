import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The client the token endpoint knows unless `clients` is given. */
export const DEFAULT_CLIENT_ID = 'mock-client';
/** The secret of `DEFAULT_CLIENT_ID`. */
export const DEFAULT_CLIENT_SECRET = 'mock-client-secret';
/** The path the endpoint answers on; any other path answers 404. */
const TOKEN_PATH = '/oauth2/token';

export interface TokenEndpointOptions {
  /** Interface to listen on. Default '127.0.0.1'. */
  host?: string;
  /** TCP port. Default 0: an ephemeral port (read it from `url`). */
  port?: number;
  /** Client ids and their secrets; any other pair answers 401 `invalid_client`. Default `{ [DEFAULT_CLIENT_ID]: DEFAULT_CLIENT_SECRET }`. */
  clients?: Record<string, string>;
  /** Scopes a client may ask for; any other answers 400 `invalid_scope`. Default: any scope, and none is needed. */
  scopes?: readonly string[];
  /** The access token of the n-th token issued (1-based). Default `mock-access-token-<n>`. */
  issue?: (n: number) => string;
  /** `expires_in` of every token issued, in seconds. Default 3600. */
  expiresInS?: number;
}

/**
 * A scripted answer for the next request, whatever it asks: a status with a JSON `body` (or a
 * non-JSON `rawBody`), or `hang` to never answer until `close()`.
 */
export type TokenEndpointFault =
  | { status: number; body?: unknown; rawBody?: string; headers?: Record<string, string> }
  | { hang: true };

/** One request the endpoint received. */
export interface TokenEndpointRequest {
  /** Arrival, in ms on `performance.now()`. */
  at: number;
  method: string;
  path: string;
  contentType: string | undefined;
  /** The `authorization` header as sent (client_secret_basic), else undefined. */
  authorization: string | undefined;
  /** The form fields as sent, secret included. */
  form: Record<string, string>;
  /** Status answered; null while it hangs. */
  status: number | null;
  /** The access token issued, if any. */
  issued: string | undefined;
}

/** A fake OAuth 2.0 token endpoint (RFC 6749 §4.4, the client credentials grant) on a real HTTP server. */
export interface TokenEndpoint {
  /** The token URL, such as `http://127.0.0.1:PORT/oauth2/token`. */
  readonly url: string;
  /** Every request, in arrival order. */
  readonly requests: TokenEndpointRequest[];
  /** Answers the next request (after those already scripted) with `fault` instead of the usual checks. */
  addFault(fault: TokenEndpointFault): void;
  /** Closes the server and every connection, hanging ones included; resolves when done. */
  close(): Promise<void>;
}

type Answer = { status: number; body: unknown; headers?: Record<string, string> };

/**
 * Starts a token endpoint that issues tokens for the client credentials grant as an identity
 * provider does: a form-encoded POST with `grant_type=client_credentials` and the client's id and
 * secret in the body (client_secret_post) or in a Basic `authorization` header
 * (client_secret_basic); errors as RFC 6749 §5.2 `{ error, error_description }`.
 */
export async function startTokenEndpoint(options: TokenEndpointOptions = {}): Promise<TokenEndpoint> {
  const host = options.host ?? '127.0.0.1';
  const clients = options.clients ?? { [DEFAULT_CLIENT_ID]: DEFAULT_CLIENT_SECRET };
  const scopes = options.scopes === undefined ? undefined : new Set(options.scopes);
  const issue = options.issue ?? ((n: number) => `mock-access-token-${n}`);
  const expiresInS = options.expiresInS ?? 3600;
  const requests: TokenEndpointRequest[] = [];
  const faults: TokenEndpointFault[] = [];
  let issuedCount = 0;

  function grant(request: TokenEndpointRequest): Answer {
    if (request.path !== TOKEN_PATH) return { status: 404, body: 'Not Found' };
    if (request.method !== 'POST') return { status: 405, body: 'Method Not Allowed', headers: { allow: 'POST' } };
    if (!request.contentType?.startsWith('application/x-www-form-urlencoded')) {
      return oauthError(400, 'invalid_request', 'The request body must be application/x-www-form-urlencoded.');
    }
    const { form } = request;
    if (form.grant_type === undefined) return oauthError(400, 'invalid_request', "The request body must contain 'grant_type'.");
    if (form.grant_type !== 'client_credentials') {
      return oauthError(400, 'unsupported_grant_type', `The grant type '${form.grant_type}' is not supported.`);
    }
    const [clientId, secret] = basicCredentials(request.authorization) ?? [form.client_id, form.client_secret];
    if (clientId === undefined || secret === undefined || !Object.hasOwn(clients, clientId) || clients[clientId] !== secret) {
      return oauthError(401, 'invalid_client', 'Client authentication failed.');
    }
    const unknownScope = (form.scope ?? '').split(' ').find((scope) => scope !== '' && scopes !== undefined && !scopes.has(scope));
    if (unknownScope !== undefined) return oauthError(400, 'invalid_scope', `The scope '${unknownScope}' is not valid for client '${clientId}'.`);
    request.issued = issue(++issuedCount);
    return { status: 200, body: { access_token: request.issued, token_type: 'Bearer', expires_in: expiresInS } };
  }

  const hanging = new Set<ServerResponse>();
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const [path = ''] = (req.url ?? '').split('?');
    const request: TokenEndpointRequest = {
      at: performance.now(),
      method: req.method ?? '',
      path,
      contentType: req.headers['content-type'],
      authorization: req.headers.authorization,
      form: {},
      status: null,
      issued: undefined,
    };
    requests.push(request);
    request.form = Object.fromEntries(new URLSearchParams(await readBody(req)));
    const fault = faults.shift();
    if (fault !== undefined && 'hang' in fault) {
      hanging.add(res);
      res.once('close', () => hanging.delete(res));
      return;
    }
    const answer = fault ?? grant(request);
    request.status = answer.status;
    const raw = fault !== undefined && 'rawBody' in fault ? fault.rawBody : undefined;
    const text = raw ?? (typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body));
    const json = raw === undefined && typeof answer.body !== 'string';
    res
      .writeHead(answer.status, {
        'content-type': json ? 'application/json; charset=utf-8' : 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        ...answer.headers,
      })
      .end(text);
  };

  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}${TOKEN_PATH}`,
    requests,
    addFault: (fault) => faults.push(fault),
    close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const res of hanging) res.destroy();
      hanging.clear();
      server.closeAllConnections();
      return closed;
    },
  };
}

function oauthError(status: number, error: string, description: string): Answer {
  return { status, body: { error, error_description: description } };
}

/** The id and secret of a `Basic` authorization header, each form-decoded as RFC 6749 §2.3.1 asks. */
function basicCredentials(header: string | undefined): [string, string] | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (match === null) return undefined;
  const decoded = Buffer.from(match[1] as string, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return undefined;
  const decode = (part: string): string => {
    try {
      return decodeURIComponent(part.replace(/\+/g, ' '));
    } catch {
      return part; // not form-encoded: compared as sent
    }
  };
  return [decode(decoded.slice(0, colon)), decode(decoded.slice(colon + 1))];
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
