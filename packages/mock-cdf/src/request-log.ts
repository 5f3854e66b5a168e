import type { ResourceName, RouteName } from './resources.js';

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
  /** The project in a served path, else null. */
  project: string | null;
  /** The resource in a byids path, else null (also for download links and instances: see `route`). */
  resource: ResourceName | null;
  /** What the path asks for: a resource's byids, `files/downloadlink` or `models/instances` (byids); null for a path the fake does not serve. */
  route: RouteName | null;
  /** The query string without its `?` (`extendedExpiration=true`), or ''. */
  query: string;
  /** The request's `items` exactly as sent ([] when the body had none or was not JSON). */
  items: unknown[];
  ignoreUnknownIds: boolean | null;
  /** The `sources` of a `models/instances/byids` body as sent, null when it had none. */
  sources: unknown[] | null;
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

/** A request's log entry before the log numbers it. */
export type Arrival = Omit<RequestLogEntry, 'seq'>;

function zeroCounters(): MockCounters {
  return { requests: 0, items: 0, throttled: 0, maxConcurrent: 0, inFlight: 0, dropped: 0, clientAborts: 0 };
}

/**
 * One fake's request log and counters: it numbers the requests, keeps the entries of the last
 * `limit` in arrival order, and counts every request exactly, whatever the log has dropped.
 */
export class RequestLog {
  /** The kept entries, oldest first: one array for the fake's whole life, so a reference to it stays current. */
  readonly entries: RequestLogEntry[] = [];
  readonly counters: MockCounters = zeroCounters();
  readonly #limit: number;
  #seq = 0;

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Numbers and counts a request that just arrived; its entry joins the log, and beyond the limit the oldest leaves. */
  arrive(arrival: Arrival): RequestLogEntry {
    const entry: RequestLogEntry = { seq: ++this.#seq, ...arrival };
    this.counters.requests++;
    this.entries.push(entry);
    if (this.entries.length > this.#limit) this.entries.shift();
    return entry;
  }

  /** Counts a request that starts being served. */
  startServing(): void {
    this.counters.inFlight++;
    this.counters.maxConcurrent = Math.max(this.counters.maxConcurrent, this.counters.inFlight);
  }

  /** Counts the end of a request that was being served. */
  stopServing(): void {
    this.counters.inFlight--;
  }

  /** Empties the log in place, zeroes the counters except the live `inFlight` (from which `maxConcurrent` restarts), and numbers from 1 again. */
  reset(): void {
    this.entries.length = 0;
    Object.assign(this.counters, zeroCounters(), { inFlight: this.counters.inFlight, maxConcurrent: this.counters.inFlight });
    this.#seq = 0;
  }
}
