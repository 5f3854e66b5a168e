import type { AddressInfo } from 'node:net';
import { type MockCdf, type MockCdfOptions, type RequestLogEntry, startMockCdf } from '@cdf-loader/mock-cdf';
import type { GraphQLFormattedError } from 'graphql';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { createServer, type ServerOptions } from '../src/index.js';

/** One fake CDF per test file; its log, counters and faults are emptied before each test. */
export function useMockCdf(options: MockCdfOptions = {}): () => MockCdf {
  let cdf: MockCdf | undefined;
  beforeAll(async () => {
    cdf = await startMockCdf(options);
  });
  afterAll(() => cdf?.close());
  beforeEach(() => cdf?.reset());
  return () => {
    if (cdf === undefined) throw new Error('the fake CDF is not started yet');
    return cdf;
  };
}

export interface GraphQLReply {
  status: number;
  body: { data?: Record<string, unknown> | null; errors?: GraphQLFormattedError[] };
}

/** Sends one GraphQL query over HTTP with `Authorization: Bearer <token>`, or none when `token` is null. */
export type Query = (query: string, options?: { token?: string | null; variables?: Record<string, unknown> }) => Promise<GraphQLReply>;

/**
 * A fresh GraphQL server (so a fresh loader pool and cache) for each test, on a free port,
 * in front of the fake. Sends the fake's default token unless told otherwise.
 */
export function useGraphQLServer(cdf: () => MockCdf, extra: (cdf: MockCdf) => Partial<ServerOptions> = () => ({})): Query {
  let url: string | undefined;
  let close = (): Promise<void> => Promise.resolve();
  beforeEach(async () => {
    const fake = cdf();
    const server = createServer({ baseUrl: fake.url, project: fake.project, retry: { limit: 0 }, logging: false, ...extra(fake) });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
    close = () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    };
  });
  afterEach(() => close());
  return async (query, { token = cdf().token, variables } = {}) => {
    if (url === undefined) throw new Error('the GraphQL server is not started yet');
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token !== null && { authorization: `Bearer ${token}` }) },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, body: (await response.json()) as GraphQLReply['body'] };
  };
}

/** The byids requests the fake received, as `resource: items`, in arrival order. */
export function byIdsRequests(cdf: MockCdf): { resource: string | null; items: unknown[]; token: string | null }[] {
  return cdf.log.map(({ resource, items, token }: RequestLogEntry) => ({ resource, items, token }));
}

/** The value at `index`, failing loudly when the fixture data is too small for the test. */
export function at<T>(items: readonly T[], index: number): T {
  const item = items[index];
  if (item === undefined) throw new Error(`no item at ${index}: the fake's data is too small for this test`);
  return item;
}
