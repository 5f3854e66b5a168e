import { gzipSync } from 'node:zlib';
import { afterEach } from 'vitest';
import { startMockCdf, type MockCdf, type MockCdfOptions, type ResourceName } from '../src/index.js';

export interface Reply {
  status: number;
  headers: Headers;
  /** Parsed JSON, or the raw text when the body is not JSON. */
  body: unknown;
  text: string;
}

const started: MockCdf[] = [];

/** Starts a fake that is closed after the current test. */
export async function start(options: MockCdfOptions = {}): Promise<MockCdf> {
  const mock = await startMockCdf(options);
  started.push(mock);
  return mock;
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((mock) => mock.close()));
});

export interface PostOptions {
  /** Bearer token; null sends no authorization header. Default: the fake's token. */
  token?: string | null;
  project?: string;
  headers?: Record<string, string>;
  /** Send this text (or buffer) as the body instead of JSON-encoding `body`. */
  raw?: string | Buffer;
  gzip?: boolean;
  method?: string;
  signal?: AbortSignal;
}

export function byIdsUrl(mock: MockCdf, resource: string, project = mock.project): string {
  return `${mock.url}/api/v1/projects/${project}/${resource}/byids`;
}

/** POSTs `body` to a byids endpoint over real HTTP and reads the whole answer. */
export function post(mock: MockCdf, resource: ResourceName | string, body: unknown, options: PostOptions = {}): Promise<Reply> {
  return postTo(byIdsUrl(mock, resource, options.project), tokenOf(mock, options), body, options);
}

/** POSTs `body` to `path` of the project (`files/downloadlink?extendedExpiration=true`, `models/instances/byids`). */
export function postPath(mock: MockCdf, path: string, body: unknown, options: PostOptions = {}): Promise<Reply> {
  return postTo(`${mock.url}/api/v1/projects/${options.project ?? mock.project}/${path}`, tokenOf(mock, options), body, options);
}

function tokenOf(mock: MockCdf, options: PostOptions): string | null {
  return options.token === undefined ? mock.token : options.token;
}

async function postTo(url: string, token: string | null, body: unknown, options: PostOptions): Promise<Reply> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  let payload: string | Buffer = options.raw ?? JSON.stringify(body);
  if (options.gzip) {
    payload = gzipSync(payload);
    headers['content-encoding'] = 'gzip';
  }
  const response = await fetch(url, {
    method: options.method ?? 'POST',
    headers,
    ...(options.method === 'GET' ? {} : { body: payload }),
    ...(options.signal && { signal: options.signal }),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, headers: response.headers, body: parsed, text };
}

/** CDF's error body. */
export function cdfError(code: number, message: string, extra: Record<string, unknown> = {}): unknown {
  return { error: { code, message, ...extra } };
}

export function violations(...list: string[]): string {
  return `Request had ${list.length} constraint violations. Please fix the request and try again. [${list.join(', ')}]`;
}

/** The `items` of a 200 answer. */
export function itemsOf(reply: Reply): Record<string, unknown>[] {
  return (reply.body as { items: Record<string, unknown>[] }).items;
}
