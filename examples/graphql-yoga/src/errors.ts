import { CdfApiError, InvalidIdentifierError } from 'cdf-loader';
import type { GraphQLError, GraphQLErrorExtensions } from 'graphql';
import { createGraphQLError, maskError as yogaMaskError, type MaskError } from 'graphql-yoga';

const BAD_USER_INPUT = 'BAD_USER_INPUT';

// Makes the HTTP answer a 401 and tells the client which scheme to use.
const UNAUTHENTICATED: GraphQLErrorExtensions = {
  code: 'UNAUTHENTICATED',
  http: { status: 401, headers: { 'www-authenticate': 'Bearer' } },
};

/** The error for a request without a usable bearer token: HTTP 401, code `UNAUTHENTICATED`. */
export function unauthenticated(message: string): GraphQLError {
  return createGraphQLError(message, { extensions: UNAUTHENTICATED });
}

/**
 * Yoga's error masking, except that cdf-loader's errors keep their message: an invalid
 * identifier is the client's mistake, and a CDF failure carries the request id Cognite support
 * asks for. Everything else is masked as usual.
 */
export const maskError: MaskError = (error, message, isDev) => {
  const located = error as LocatedError;
  const original = located.originalError ?? error;
  const extensions = extensionsFor(original);
  if (extensions === undefined) return yogaMaskError(error, message, isDev);
  return createGraphQLError((original as Error).message, { nodes: located.nodes ?? null, path: located.path ?? null, extensions });
};

/**
 * For an error that is the client's own doing — an invalid identifier, a token CDF refused —
 * the one line worth logging: its code, where in the query, and the message. `undefined` for
 * any other error, which deserves its stack.
 */
export function clientErrorLine(error: unknown): string | undefined {
  const located = (error ?? {}) as LocatedError;
  const original = located.originalError ?? error;
  const code = extensionsFor(original)?.code;
  if (code !== BAD_USER_INPUT && code !== UNAUTHENTICATED.code) return undefined;
  const where = Array.isArray(located.path) ? ` at ${located.path.join('.')}` : '';
  return `${String(code)}${where}: ${(original as Error).message}`;
}

type LocatedError = Partial<Pick<GraphQLError, 'nodes' | 'path' | 'originalError'>>;

function extensionsFor(error: unknown): GraphQLErrorExtensions | undefined {
  if (error instanceof InvalidIdentifierError) return { code: BAD_USER_INPUT };
  if (!(error instanceof CdfApiError)) return undefined;
  // CDF refused the caller's own token: the same answer as sending none.
  if (error.status === 401) return UNAUTHENTICATED;
  return { code: 'CDF_REQUEST_FAILED', status: error.status, requestId: error.requestId ?? null };
}
