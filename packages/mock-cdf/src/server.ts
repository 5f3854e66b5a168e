import { randomUUID } from 'node:crypto';
import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzip } from 'node:zlib';
import { lookUp } from './byids.js';
import { now, wait, type Wait } from './clock.js';
import { generateData, type MockData, type TokenAccess } from './data.js';
import { describeFault, FaultBook, type Fault } from './faults.js';
import { isRecord } from './identifiers.js';
import { hashUnit } from './random.js';
import { isResourceName, type ResourceName } from './resources.js';
import { concurrencyMessage, RateWindow, rateMessage } from './throttle.js';
import { cdfError, parseJson, validateRequest } from './validation.js';

/** The bearer token the fake accepts, with full access, unless `tokens` is given. */
export const DEFAULT_TOKEN = 'mock-token';
/** The project the fake serves unless `project` is given. */
export const DEFAULT_PROJECT = 'mock-project';
/** How many request log entries the fake keeps unless `logLimit` is given. */
export const DEFAULT_LOG_LIMIT = 10_000;

export interface MockCdfOptions {
  /** Interface to listen on. Default '127.0.0.1'. */
  host?: string;
  /** TCP port. Default 0: an ephemeral port (read it from `url`). */
  port?: number;
  /** The project in the path; any other project answers 404. Default DEFAULT_PROJECT. */
  project?: string;
  /** Seeds the data, the latency jitter, shuffling and `share` faults. Default 1. */
  seed?: number;
  /** Generated items per resource. Default: files 1000, each other resource 200. */
  counts?: Partial<Record<ResourceName, number>>;
  /** Replaces the generated items of a resource with these, served as given. Default: none. */
  items?: Partial<Record<ResourceName, Record<string, unknown>[]>>;
  /** Accepted bearer tokens and what each sees. A missing or unknown token answers 401. Default `{ [DEFAULT_TOKEN]: {} }`. */
  tokens?: Record<string, TokenAccess>;
  /** Added before every byids answer, in ms: `fixedMs` plus a seeded uniform 0..`jitterMs`. Default 0 (answer without any timer). */
  latency?: { fixedMs?: number; jitterMs?: number } | undefined;
  /** Requests served at once; one arriving while this many are in flight answers 429 at once (429s are not in flight). Default Infinity. */
  concurrencyLimit?: number | undefined;
  /** At most `requests` per sliding `intervalMs` (ms); beyond that 429 (throttled requests consume budget too). Default: none. */
  rateLimit?: { requests: number; intervalMs: number } | undefined;
  /** Sent as `Retry-After` (seconds or an HTTP date, as given) on throttling 429s. Default: not sent, as CDF. */
  retryAfter?: string | undefined;
  /** Return items in a seeded shuffled order instead of request order. Default false. */
  shuffle?: boolean | undefined;
  /** Scripted faults, see `Fault`. Default none. */
  faults?: Fault[];
  /**
   * Most entries `log` keeps: beyond it the oldest entry is dropped as a new request arrives, so a
   * long-running fake holds bounded memory. Counters and request numbers count every request
   * regardless. 0 keeps none; Infinity keeps all. Default DEFAULT_LOG_LIMIT (10,000 entries).
   */
  logLimit?: number;
}

/** The options `configure()` can change on a running fake; `undefined` restores the default. */
export type MockCdfSettings = Pick<MockCdfOptions, 'latency' | 'concurrencyLimit' | 'rateLimit' | 'retryAfter' | 'shuffle'>;

export interface MockCounters {
  /** Requests received (every request counts, whatever its answer). */
  requests: number;
  /** Identifiers received in request `items`. */
  items: number;
  /** Requests answered 429 by the concurrency limit or the rate limit. */
  throttled: number;
  /** Most requests served at once (throttled ones are not served). */
  maxConcurrent: number;
  /** Requests being served now. */
  inFlight: number;
  /** Connections destroyed by a `drop` fault. */
  dropped: number;
  /** Requests whose client closed the connection before the answer was complete. */
  clientAborts: number;
}

export interface RequestLogEntry {
  /** 1-based request number since start or `reset()`: what `Fault.request` refers to. */
  seq: number;
  /** Arrival, in ms on the fake's `performance.now()` clock. */
  startedAt: number;
  /** When the answer finished or the connection closed, same clock; null while in flight. */
  endedAt: number | null;
  method: string;
  path: string;
  /** The project in a byids path, else null. */
  project: string | null;
  /** The resource in a byids path, else null. */
  resource: ResourceName | null;
  /** The request's `items` exactly as sent ([] when the body had none or was not JSON). */
  items: unknown[];
  ignoreUnknownIds: boolean | null;
  /** The bearer token as sent, null when none. */
  token: string | null;
  /** Request headers, lowercased, without `authorization`. */
  headers: Record<string, string>;
  /** Status answered; null while in flight or if dropped. */
  status: number | null;
  /** The `x-request-id` sent back. */
  requestId: string;
  itemsReturned: number;
  /** The client closed the connection before the answer was complete. */
  clientClosed: boolean;
  /** What a scripted fault did to this request, if one applied. */
  fault: string | null;
}

export interface MockCdf {
  /** Base URL, e.g. 'http://127.0.0.1:PORT' (no trailing slash). */
  readonly url: string;
  readonly project: string;
  /** DEFAULT_TOKEN, or the first key of `tokens`. */
  readonly token: string;
  readonly data: MockData;
  /** The last `logLimit` requests in arrival order (one array for the fake's life), appended on arrival and updated when each ends. */
  readonly log: RequestLogEntry[];
  readonly counters: MockCounters;
  addFault(fault: Fault): void;
  clearFaults(): void;
  configure(changes: MockCdfSettings): void;
  /** Clears the log, counters (except the live `inFlight`), faults and request numbering; the data stays. */
  reset(): void;
  /** Closes the server and every open socket; resolves when done. */
  close(): Promise<void>;
}

const BYIDS_PATH = /^\/api\/v1\/projects\/([^/]+)\/([^/]+)\/byids$/;
const SLOW_BODY_PIECES = 5;

interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  entry: RequestLogEntry;
  /** Pending waits of this request, cancelled when it closes. */
  waits: Set<Wait>;
  /** A `drop` fault destroyed the connection (so its close is not a client abort). */
  dropped: boolean;
}

interface Answer {
  status: number;
  body: string;
  contentType: string;
  itemsReturned: number;
  headers: Record<string, string>;
}

function jsonAnswer(status: number, body: unknown, itemsReturned = 0): Answer {
  return { status, body: JSON.stringify(body), contentType: 'application/json', itemsReturned, headers: {} };
}

function errorAnswer(status: number, message: string): Answer {
  return jsonAnswer(status, cdfError(status, message));
}

function faultAnswer(fault: Fault): Answer {
  const status = fault.status ?? 500;
  if (fault.rawBody !== undefined) return { status, body: fault.rawBody, contentType: 'text/html', itemsReturned: 0, headers: {} };
  return jsonAnswer(status, fault.body !== undefined ? fault.body : cdfError(status, STATUS_CODES[status] ?? 'Error'));
}

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

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
    req.on('close', () => reject(new Error('request closed before its body ended')));
  });
}

function decompress(body: Buffer, encoding: string | undefined): Promise<Buffer> {
  if (encoding !== 'gzip' && encoding !== 'x-gzip') return Promise.resolve(body);
  return new Promise((resolve, reject) => gunzip(body, (error, result) => (error ? reject(error) : resolve(result))));
}

function checkSettings(settings: MockCdfSettings): void {
  const fail = (name: string, rule: string, value: unknown): never => {
    throw new RangeError(`${name} must be ${rule}, got ${JSON.stringify(value)}`);
  };
  const { latency, concurrencyLimit, rateLimit } = settings;
  for (const key of ['fixedMs', 'jitterMs'] as const) {
    const ms = latency?.[key];
    if (ms !== undefined && !(Number.isFinite(ms) && ms >= 0)) fail(`latency.${key}`, 'a non-negative number of ms', ms);
  }
  if (concurrencyLimit !== undefined && !(concurrencyLimit >= 1 && (Number.isInteger(concurrencyLimit) || concurrencyLimit === Infinity))) {
    fail('concurrencyLimit', 'a positive integer or Infinity', concurrencyLimit);
  }
  if (rateLimit !== undefined && !(Number.isInteger(rateLimit.requests) && rateLimit.requests >= 1 && rateLimit.intervalMs > 0)) {
    fail('rateLimit', '{ requests: a positive integer, intervalMs: a positive number }', rateLimit);
  }
}

function emptyCounters(): MockCounters {
  return { requests: 0, items: 0, throttled: 0, maxConcurrent: 0, inFlight: 0, dropped: 0, clientAborts: 0 };
}

/** Starts a fake CDF on `host:port`; resolves once it listens. */
export async function startMockCdf(options: MockCdfOptions = {}): Promise<MockCdf> {
  const host = options.host ?? '127.0.0.1';
  const project = options.project ?? DEFAULT_PROJECT;
  const seed = options.seed ?? 1;
  const tokens = options.tokens ?? { [DEFAULT_TOKEN]: {} };
  const [token] = Object.keys(tokens);
  if (token === undefined) throw new RangeError('tokens must name at least one token');
  checkSettings(options);
  const logLimit = options.logLimit ?? DEFAULT_LOG_LIMIT;
  if (!(logLimit === Infinity || (Number.isInteger(logLimit) && logLimit >= 0))) {
    throw new RangeError(`logLimit must be a non-negative integer or Infinity, got ${logLimit}`);
  }
  const settings: MockCdfSettings = {
    latency: options.latency,
    concurrencyLimit: options.concurrencyLimit,
    rateLimit: options.rateLimit,
    retryAfter: options.retryAfter,
    shuffle: options.shuffle,
  };
  const data = generateData({ seed, ...(options.counts && { counts: options.counts }), ...(options.items && { items: options.items }) });
  const faults = new FaultBook(seed);
  for (const fault of options.faults ?? []) faults.add(fault);
  const rateWindow = new RateWindow();
  const log: RequestLogEntry[] = [];
  const counters = emptyCounters();
  const pending = new Set<Wait>();
  /** Answers not yet closed, so `close()` can wait for their close handlers. */
  const open = new Set<ServerResponse>();
  let seq = 0;
  let closing = false;

  /** Runs `then` after `ms`, or right away (no timer) when `ms` is 0; the wait is cancelled if the request closes first. */
  const after = (ctx: RequestContext, ms: number, then: () => void): void => {
    // The connection may have closed while the body was read or decompressed.
    if (ctx.res.destroyed || closing) return;
    if (ms <= 0) return then();
    const handle = wait(ms, () => {
      pending.delete(handle);
      ctx.waits.delete(handle);
      then();
    });
    pending.add(handle);
    ctx.waits.add(handle);
  };

  const send = (ctx: RequestContext, answer: Answer, slowBodyMs: number): void => {
    const { res, entry } = ctx;
    entry.status = answer.status;
    entry.itemsReturned = answer.itemsReturned;
    const body = Buffer.from(answer.body);
    res.writeHead(answer.status, { 'content-type': answer.contentType, 'content-length': body.length, ...answer.headers });
    if (slowBodyMs <= 0) {
      res.end(body);
      return;
    }
    res.flushHeaders();
    const step = slowBodyMs / SLOW_BODY_PIECES;
    const size = Math.ceil(body.length / SLOW_BODY_PIECES);
    const writePiece = (piece: number): void => {
      const chunk = body.subarray(piece * size, (piece + 1) * size);
      if (piece === SLOW_BODY_PIECES - 1) {
        res.end(chunk);
        return;
      }
      res.write(chunk);
      after(ctx, step, () => writePiece(piece + 1));
    };
    after(ctx, step, () => writePiece(0));
  };

  /** Decides at arrival what headers alone decide: auth, routing, project, throttling. */
  const admit = (ctx: RequestContext): { answer: Answer } | { resource: ResourceName } => {
    const { entry } = ctx;
    const access = entry.token !== null && Object.hasOwn(tokens, entry.token) ? tokens[entry.token] : undefined;
    if (access === undefined) return { answer: errorAnswer(401, 'Unauthorized') };
    if (ctx.req.method !== 'POST' || entry.resource === null) return { answer: errorAnswer(404, 'Not Found') };
    if (entry.project !== project) return { answer: errorAnswer(404, `Project '${entry.project ?? ''}' not found`) };
    const { concurrencyLimit = Infinity, rateLimit, retryAfter } = settings;
    const overRate = rateLimit !== undefined && rateWindow.hit(now(), rateLimit);
    const message =
      counters.inFlight >= concurrencyLimit ? concurrencyMessage(concurrencyLimit) : overRate ? rateMessage(rateLimit) : undefined;
    if (message !== undefined) {
      counters.throttled++;
      const answer = errorAnswer(429, message);
      if (retryAfter !== undefined) answer.headers['retry-after'] = retryAfter;
      return { answer };
    }
    return { resource: entry.resource };
  };

  const serveByIds = (ctx: RequestContext, resource: ResourceName, parsed: { value: unknown } | undefined): void => {
    const { entry } = ctx;
    const fault = faults.take(entry.seq, resource);
    entry.fault = fault ? describeFault(fault) : null;
    const { fixedMs = 0, jitterMs = 0 } = settings.latency ?? {};
    const delay = fixedMs + (jitterMs > 0 ? hashUnit(seed, entry.seq) * jitterMs : 0) + (fault?.delayMs ?? 0);
    after(ctx, delay, () => {
      if (fault?.drop) {
        ctx.dropped = true;
        counters.dropped++;
        ctx.res.destroy();
        return;
      }
      const scripted = fault && (fault.status !== undefined || fault.body !== undefined || fault.rawBody !== undefined);
      const answer = scripted ? faultAnswer(fault) : answerByIds(entry, resource, parsed);
      Object.assign(answer.headers, fault?.headers);
      send(ctx, answer, fault?.slowBodyMs ?? 0);
    });
  };

  const answerByIds = (entry: RequestLogEntry, resource: ResourceName, parsed: { value: unknown } | undefined): Answer => {
    if (parsed === undefined) return errorAnswer(400, 'Unable to parse the request body as JSON');
    const validated = validateRequest(resource, parsed.value);
    if (!validated.ok) return jsonAnswer(validated.status, validated.body);
    const access = tokens[entry.token as string] ?? {};
    const result = lookUp(data, resource, validated.request, access, settings.shuffle ? [seed, entry.seq] : undefined);
    return jsonAnswer(result.status, result.body, result.status === 200 ? result.body.items.length : 0);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const requestId = randomUUID();
    res.setHeader('x-request-id', requestId);
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const match = BYIDS_PATH.exec(path);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (name !== 'authorization' && value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    const entry: RequestLogEntry = {
      seq: ++seq,
      startedAt: now(),
      endedAt: null,
      method: req.method ?? '',
      path,
      project: match?.[1] === undefined ? null : decodeSegment(match[1]),
      resource: match?.[2] !== undefined && isResourceName(match[2]) ? match[2] : null,
      items: [],
      ignoreUnknownIds: null,
      token: bearerToken(req.headers.authorization),
      headers,
      status: null,
      requestId,
      itemsReturned: 0,
      clientClosed: false,
      fault: null,
    };
    log.push(entry);
    if (log.length > logLimit) log.shift();
    counters.requests++;
    const ctx: RequestContext = { req, res, entry, waits: new Set(), dropped: false };
    const admission = admit(ctx);
    const serving = 'resource' in admission;
    if (serving) {
      counters.inFlight++;
      counters.maxConcurrent = Math.max(counters.maxConcurrent, counters.inFlight);
    }
    open.add(res);
    res.once('close', () => {
      open.delete(res);
      entry.endedAt = now();
      if (serving) counters.inFlight--;
      for (const handle of ctx.waits) {
        handle.cancel();
        pending.delete(handle);
      }
      if (!res.writableFinished && !ctx.dropped && !closing) {
        entry.clientClosed = true;
        counters.clientAborts++;
      }
    });

    let body: Buffer;
    try {
      body = await readBody(req);
    } catch {
      return; // the client went away mid-body; the close handler has recorded it
    }
    const parsed = await decompress(body, req.headers['content-encoding']).then(
      (raw) => parseJson(raw.toString('utf8')),
      () => undefined,
    );
    if (parsed !== undefined && isRecord(parsed.value)) {
      const { items, ignoreUnknownIds } = parsed.value;
      if (Array.isArray(items)) entry.items = items;
      if (typeof ignoreUnknownIds === 'boolean') entry.ignoreUnknownIds = ignoreUnknownIds;
    }
    counters.items += entry.items.length;
    if ('answer' in admission) send(ctx, admission.answer, 0);
    else serveByIds(ctx, admission.resource, parsed);
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
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    project,
    token,
    data,
    log,
    counters,
    addFault: (fault) => faults.add(fault),
    clearFaults: () => faults.clear(),
    configure(changes) {
      checkSettings(changes);
      Object.assign(settings, changes);
    },
    reset() {
      log.length = 0;
      Object.assign(counters, emptyCounters(), { inFlight: counters.inFlight, maxConcurrent: counters.inFlight });
      faults.clear();
      rateWindow.clear();
      seq = 0;
    },
    close() {
      closing = true;
      for (const handle of pending) handle.cancel();
      pending.clear();
      const answersClosed = [...open].map((res) => new Promise<void>((resolve) => res.once('close', () => resolve())));
      const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      return Promise.all([serverClosed, ...answersClosed]).then(() => undefined);
    },
  };
}
