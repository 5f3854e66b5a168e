import type { IncomingMessage } from 'node:http';
import { gunzip } from 'node:zlib';
import { isRecord } from './identifiers.js';
import type { Arrival, RequestLogEntry } from './request-log.js';
import { isResourceName, routeOf } from './resources.js';
import { parseJson } from './validation.js';

function bearerToken(header: string | undefined): string | null {
  const match = header === undefined ? null : /^Bearer +(.+)$/i.exec(header);
  return match?.[1] ?? null;
}

function decodeSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/** The log entry of a request whose headers just arrived; the body's fields are filled in by `noteBody`. */
export function arrivalOf(req: IncomingMessage, requestId: string, startedAt: number): Arrival {
  const [path = '/', query = ''] = (req.url ?? '/').split('?');
  const match = routeOf(path);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (name !== 'authorization' && value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return {
    startedAt,
    endedAt: null,
    method: req.method ?? '',
    path,
    project: match === null ? null : decodeSegment(match.project),
    resource: match?.route != null && isResourceName(match.route) ? match.route : null,
    route: match?.route ?? null,
    query,
    items: [],
    ignoreUnknownIds: null,
    sources: null,
    token: bearerToken(req.headers.authorization),
    headers,
    status: null,
    requestId,
    itemsReturned: 0,
    clientClosed: false,
    fault: null,
  };
}

/** The whole body; rejects when the client goes away before it ends. */
export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
    req.on('close', () => reject(new Error('request closed before its body ended')));
  });
}

/** The body as JSON, gunzipped first when `content-encoding` says gzip; undefined when it is not valid gzip or JSON. */
export async function parseBody(body: Buffer, contentEncoding: string | undefined): Promise<{ value: unknown } | undefined> {
  if (contentEncoding !== 'gzip' && contentEncoding !== 'x-gzip') return parseJson(body.toString('utf8'));
  return new Promise((resolve) => gunzip(body, (error, raw) => resolve(error ? undefined : parseJson(raw.toString('utf8')))));
}

/** Records in `entry` what a parsed body sent: its `items`, `ignoreUnknownIds` and `sources`, when they have the right types. */
export function noteBody(entry: RequestLogEntry, body: { value: unknown } | undefined): void {
  if (body === undefined || !isRecord(body.value)) return;
  const { items, ignoreUnknownIds, sources } = body.value;
  if (Array.isArray(items)) entry.items = items;
  if (Array.isArray(sources)) entry.sources = sources;
  if (typeof ignoreUnknownIds === 'boolean') entry.ignoreUnknownIds = ignoreUnknownIds;
}
