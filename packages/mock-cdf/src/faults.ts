import { hashUnit } from './random.js';
import { outOfRange } from './range-error.js';
import type { RouteName } from './resources.js';

/**
 * A scripted fault. Selectors (`request`, `share`, `resource`) choose the requests; the other
 * fields say what happens to them. A request gets at most one fault: the first matching one in
 * the order they were added. Faults apply only to requests (byids, download links, instances) that passed auth, routing and
 * throttling.
 */
export interface Fault {
  /** 1-based sequence number(s) of the requests it hits, counted since start or `reset()` (throttled requests count too). Default: any request. */
  request?: number | number[];
  /** A seeded share (0..1) of requests it hits; the same seed and request numbers always pick the same requests. Default: all. */
  share?: number;
  /** Only requests to this resource's byids, or to `files/downloadlink` or `models/instances`. Default: any. */
  resource?: RouteName;
  /** How many times it fires before it is spent. Default 1 when `request` is a single number, else unlimited. */
  times?: number;
  /** Answer with this HTTP status and a CDF-shaped `{error:{code,message}}` body (unless `body`/`rawBody`). Default 500 when only `body`/`rawBody` is given. */
  status?: number;
  /** A JSON body to send instead of CDF's error body. */
  body?: unknown;
  /** A non-JSON body (content-type text/html), e.g. a gateway's error page. */
  rawBody?: string;
  /** Extra response headers, e.g. `{ 'cdf-is-auto-retryable': 'true' }` or `{ 'retry-after': '2' }`. Added to any answer. */
  headers?: Record<string, string>;
  /** Destroy the socket without any answer. */
  drop?: boolean;
  /** Wait this long before answering, in ms (added to the configured latency). Alone, the request is otherwise answered normally. */
  delayMs?: number;
  /** Send status and headers, then the body in several pieces spread over this long, in ms. */
  slowBodyMs?: number;
}

interface ArmedFault {
  fault: Fault;
  serial: number;
  remaining: number;
}

/** Every field a fault may have: typed as a record so that a field added to `Fault` must be added here too. */
const FAULT_FIELDS: Readonly<Record<keyof Fault, true>> = {
  request: true,
  share: true,
  resource: true,
  times: true,
  status: true,
  body: true,
  rawBody: true,
  headers: true,
  drop: true,
  delayMs: true,
  slowBodyMs: true,
};

/** Throws a TypeError for a field no fault has (a typo would otherwise turn the fault into a silent no-op), a RangeError for a value out of range. */
function checkFault(fault: Fault): void {
  const unknown = Object.keys(fault).find((field) => !Object.hasOwn(FAULT_FIELDS, field));
  if (unknown !== undefined) throw new TypeError(`fault.${unknown} is not a fault field; a fault has ${Object.keys(FAULT_FIELDS).join(', ')}`);
  const requests = fault.request === undefined ? [] : [fault.request].flat();
  if (requests.some((n) => !Number.isInteger(n) || n < 1)) throw outOfRange('fault.request', 'a positive integer or a list of them', fault.request);
  if (fault.share !== undefined && !(fault.share >= 0 && fault.share <= 1)) throw outOfRange('fault.share', 'between 0 and 1', fault.share);
  if (fault.times !== undefined && !(Number.isInteger(fault.times) && fault.times >= 1)) throw outOfRange('fault.times', 'a positive integer', fault.times);
  if (fault.status !== undefined && !(Number.isInteger(fault.status) && fault.status >= 100 && fault.status <= 599)) {
    throw outOfRange('fault.status', 'an HTTP status code', fault.status);
  }
  for (const field of ['delayMs', 'slowBodyMs'] as const) {
    const value = fault[field];
    if (value !== undefined && !(Number.isFinite(value) && value >= 0)) throw outOfRange(`fault.${field}`, 'a non-negative number of ms', value);
  }
}

/** True when the fault answers in place of the fake: a status, a body or a raw body. */
export function scriptsAnswer(fault: Fault): boolean {
  return fault.status !== undefined || fault.body !== undefined || fault.rawBody !== undefined;
}

/** A short description of what a fault does, for the request log. */
export function describeFault(fault: Fault): string {
  const parts: string[] = [];
  if (fault.delayMs) parts.push(`delay ${fault.delayMs}ms`);
  if (fault.drop) parts.push('drop');
  else {
    if (scriptsAnswer(fault)) parts.push(`status ${fault.status ?? 500}`);
    if (fault.rawBody !== undefined) parts.push('raw body');
    else if (fault.body !== undefined) parts.push('custom body');
    if (fault.headers) parts.push(`headers ${Object.keys(fault.headers).join(',')}`);
    if (fault.slowBodyMs) parts.push(`slow body ${fault.slowBodyMs}ms`);
  }
  return parts.join(' + ') || 'no-op';
}

/** The scripted faults of one fake, and which request each one hits. */
export class FaultBook {
  #armed: ArmedFault[] = [];
  #serial = 0;

  constructor(private readonly seed: number) {}

  add(fault: Fault): void {
    checkFault(fault);
    const remaining = fault.times ?? (typeof fault.request === 'number' ? 1 : Infinity);
    this.#armed.push({ fault, serial: ++this.#serial, remaining });
  }

  clear(): void {
    this.#armed = [];
    // `share` hashes the serial: numbering anew keeps a fault's picks the same after a reset.
    this.#serial = 0;
  }

  /** The fault that hits request `seq` to `resource`, if any; spends one of its times. */
  take(seq: number, resource: RouteName): Fault | undefined {
    const hit = this.#armed.find(({ fault, serial, remaining }) => {
      if (remaining <= 0) return false;
      if (fault.resource !== undefined && fault.resource !== resource) return false;
      if (fault.request !== undefined && ![fault.request].flat().includes(seq)) return false;
      return fault.share === undefined || hashUnit(this.seed, serial, seq) < fault.share;
    });
    if (hit === undefined) return undefined;
    hit.remaining--;
    return hit.fault;
  }
}
