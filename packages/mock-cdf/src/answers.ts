import { STATUS_CODES } from 'node:http';
import { scriptsAnswer, type Fault } from './faults.js';
import { cdfError } from './validation.js';

/** An HTTP answer, decided before it is sent. */
export interface Answer {
  status: number;
  body: string;
  contentType: string;
  /** Items the body carries, for the request log. */
  itemsReturned: number;
  /** Headers besides content-type, content-length and x-request-id. */
  headers: Record<string, string>;
}

export function jsonAnswer(status: number, body: unknown, itemsReturned = 0): Answer {
  return { status, body: JSON.stringify(body), contentType: 'application/json', itemsReturned, headers: {} };
}

/** An answer with CDF's error body. */
export function errorAnswer(status: number, message: string): Answer {
  return jsonAnswer(status, cdfError(status, message));
}

/** The answer a fault scripts (its status and body; a CDF error with the reason phrase when it gives no body), or undefined when it scripts none. */
export function faultAnswer(fault: Fault): Answer | undefined {
  if (!scriptsAnswer(fault)) return undefined;
  const status = fault.status ?? 500;
  if (fault.rawBody !== undefined) return { status, body: fault.rawBody, contentType: 'text/html', itemsReturned: 0, headers: {} };
  return jsonAnswer(status, fault.body !== undefined ? fault.body : cdfError(status, STATUS_CODES[status] ?? 'Error'));
}
