import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorAnswer, faultAnswer, type Answer } from './answers.js';
import { answerByIds, type ByIdsQuery } from './byids.js';
import { answerDownloadLinks } from './downloadlink.js';
import { answerInstances } from './instances.js';
import { now } from './clock.js';
import type { MockData, TokenAccess } from './data.js';
import type { Exchange, OpenExchanges } from './exchange.js';
import { describeFault, type FaultBook } from './faults.js';
import { arrivalOf, noteBody, parseBody, readBody } from './incoming.js';
import type { MockCdfSettings } from './options.js';
import { hashUnit } from './random.js';
import type { RequestLog, RequestLogEntry } from './request-log.js';
import type { RouteName } from './resources.js';
import type { Throttle } from './throttle.js';

/** What one fake serves from: its fixed setup, and the state its requests share. */
export interface MockCdfState {
  readonly project: string;
  readonly seed: number;
  readonly tokens: Readonly<Record<string, TokenAccess>>;
  readonly data: MockData;
  /** Changed in place by `configure()`. */
  readonly settings: MockCdfSettings;
  readonly faults: FaultBook;
  readonly throttle: Throttle;
  readonly log: RequestLog;
  readonly exchanges: OpenExchanges;
}

/** A request past auth, routing and throttling: a lookup to serve. */
interface Admitted {
  route: RouteName;
  access: TokenAccess;
}

/**
 * Handles one request: logs it on arrival, decides what its headers alone decide (auth, routing,
 * project, throttling), reads its body, then answers or serves the byids lookup.
 */
export async function handleRequest(state: MockCdfState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const requestId = randomUUID();
  res.setHeader('x-request-id', requestId);
  const { log } = state;
  const entry = log.arrive(arrivalOf(req, requestId, now()));
  const admission = admit(state, entry);
  const serving = !('status' in admission);
  if (serving) log.startServing();
  const exchange = state.exchanges.open(req, res, entry);
  res.once('close', () => {
    entry.endedAt = now();
    if (serving) log.stopServing();
    if (!res.writableFinished && !exchange.dropped && !state.exchanges.closing) {
      entry.clientClosed = true;
      log.counters.clientAborts++;
    }
  });

  let body: Buffer;
  try {
    body = await readBody(req);
  } catch {
    return; // the client went away mid-body; the close handler has recorded it
  }
  const parsed = await parseBody(body, req.headers['content-encoding']);
  noteBody(entry, parsed);
  log.counters.items += entry.items.length;
  if (serving) serve(state, exchange, admission, parsed);
  else exchange.send(admission, 0);
}

/** The answer its headers decide for a request (401, 404, 429), or what it may look up. */
function admit(state: MockCdfState, entry: RequestLogEntry): Answer | Admitted {
  const { tokens, settings, log } = state;
  const access = entry.token !== null && Object.hasOwn(tokens, entry.token) ? tokens[entry.token] : undefined;
  if (access === undefined) return errorAnswer(401, 'Unauthorized');
  if (entry.method !== 'POST' || entry.route === null) return errorAnswer(404, 'Not Found');
  if (entry.project !== state.project) return errorAnswer(404, `Project '${entry.project ?? ''}' not found`);
  const throttled = state.throttle.admit(now(), log.counters.inFlight, settings);
  if (throttled === undefined) return { route: entry.route, access };
  log.counters.throttled++;
  const answer = errorAnswer(429, throttled);
  if (settings.retryAfter !== undefined) answer.headers['retry-after'] = settings.retryAfter;
  return answer;
}

/** Serves an admitted request: its scripted fault, if any, then latency, then the fault's answer or the lookup's. */
function serve(state: MockCdfState, exchange: Exchange, admitted: Admitted, body: { value: unknown } | undefined): void {
  const { entry } = exchange;
  const { seed, settings } = state;
  const fault = state.faults.take(entry.seq, admitted.route);
  entry.fault = fault ? describeFault(fault) : null;
  const { fixedMs = 0, jitterMs = 0 } = settings.latency ?? {};
  const delay = fixedMs + (jitterMs > 0 ? hashUnit(seed, entry.seq) * jitterMs : 0) + (fault?.delayMs ?? 0);
  exchange.after(delay, () => {
    if (fault?.drop) {
      state.log.counters.dropped++;
      exchange.drop();
      return;
    }
    const answer = (fault && faultAnswer(fault)) ?? lookUp(state, exchange.entry, admitted, body);
    Object.assign(answer.headers, fault?.headers);
    exchange.send(answer, fault?.slowBodyMs ?? 0);
  });
}

/** The answer of the endpoint the request is for. */
function lookUp(state: MockCdfState, entry: RequestLogEntry, { route, access }: Admitted, body: { value: unknown } | undefined): Answer {
  const { data, seed, settings } = state;
  if (route === 'files/downloadlink') return answerDownloadLinks({ data, access, query: entry.query, requestId: entry.requestId }, body);
  if (route === 'models/instances') return answerInstances(data.findInstance, body);
  const query: ByIdsQuery = {
    data,
    resource: route,
    access,
    shuffleSeeds: settings.shuffle ? [seed, entry.seq] : undefined,
    answerAliasDuplicates: settings.aliasDuplicates === 'answered',
  };
  return answerByIds(query, body);
}
