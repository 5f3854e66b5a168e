import { createServer } from 'node:http';
import { generateData, type MockData } from './data.js';
import { OpenExchanges } from './exchange.js';
import { FaultBook, type Fault } from './faults.js';
import { handleRequest, type MockCdfState } from './handler.js';
import { listen } from './listen.js';
import { checkSettings, DEFAULT_PROJECT, DEFAULT_TOKEN, initialSettings, logLimitOf, type MockCdfOptions, type MockCdfSettings } from './options.js';
import { RequestLog, type MockCounters, type RequestLogEntry } from './request-log.js';
import { Throttle } from './throttle.js';

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

/** Starts a fake CDF on `host:port`; resolves once it listens. */
export async function startMockCdf(options: MockCdfOptions = {}): Promise<MockCdf> {
  const tokens = options.tokens ?? { [DEFAULT_TOKEN]: {} };
  const [token] = Object.keys(tokens);
  if (token === undefined) throw new RangeError('tokens must name at least one token');
  const seed = options.seed ?? 1;
  const state: MockCdfState = {
    project: options.project ?? DEFAULT_PROJECT,
    seed,
    tokens,
    settings: initialSettings(options),
    log: new RequestLog(logLimitOf(options)),
    data: generateData({ seed, ...(options.counts && { counts: options.counts }), ...(options.items && { items: options.items }) }),
    faults: new FaultBook(seed),
    throttle: new Throttle(),
    exchanges: new OpenExchanges(),
  };
  for (const fault of options.faults ?? []) state.faults.add(fault);
  const server = createServer((req, res) => void handleRequest(state, req, res));
  const url = await listen(server, options.host ?? '127.0.0.1', options.port ?? 0);

  return {
    url,
    project: state.project,
    token,
    data: state.data,
    log: state.log.entries,
    counters: state.log.counters,
    addFault: (fault) => state.faults.add(fault),
    clearFaults: () => state.faults.clear(),
    configure(changes) {
      checkSettings(changes);
      Object.assign(state.settings, changes);
    },
    reset() {
      state.log.reset();
      state.faults.clear();
      state.throttle.clear();
    },
    close() {
      const exchangesClosed = state.exchanges.closeAll();
      const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      return Promise.all([serverClosed, exchangesClosed]).then(() => undefined);
    },
  };
}
