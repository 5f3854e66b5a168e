import { type Attributes, context, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import type { RequestEvent, RetryEvent } from 'cdf-loader';
import { attributes, errorType } from './attributes.js';

/**
 * Records one byids HTTP attempt as a CLIENT span. The event comes when the attempt is over and
 * carries its start and duration, so the span is made and ended at once with those times. It is
 * published in the async context of the load that opened the request, so the active context is
 * that load's and the span is its child.
 */
export function recordAttemptSpan(tracer: Tracer, event: RequestEvent): void {
  const span = tracer.startSpan(
    `cdf-loader ${event.resource} byids`,
    { kind: SpanKind.CLIENT, startTime: event.startTime, attributes: attemptAttributes(event) },
    context.active(),
  );
  if (event.error !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: event.error.message });
  span.end(event.startTime + event.durationMs);
}

/**
 * Records a retry as a `cdf_loader.retry` event on the active span: the parent of the attempt
 * spans. The failed attempt's own span has already ended by then (the retry is decided after the
 * attempt's event), and the next attempt's span shows the wait as the gap before it.
 */
export function recordRetryEvent(event: RetryEvent): void {
  const retry: Attributes = {
    [attributes.resource]: event.resource,
    [attributes.attempt]: event.attempt,
    [attributes.identifiers]: event.items,
    [attributes.retryDelay]: event.delayMs,
  };
  if (event.status > 0) retry[attributes.httpStatus] = event.status;
  trace.getActiveSpan()?.addEvent('cdf_loader.retry', retry);
}

function attemptAttributes(event: RequestEvent): Attributes {
  const result: Attributes = {
    [attributes.project]: event.project,
    [attributes.resource]: event.resource,
    [attributes.identifiers]: event.items,
    [attributes.attempt]: event.attempt,
    [attributes.httpMethod]: 'POST',
  };
  if (event.attempt > 1) result[attributes.httpResendCount] = event.attempt - 1;
  if (event.status > 0) result[attributes.httpStatus] = event.status;
  if (event.requestId !== undefined) result[attributes.requestId] = event.requestId;
  if (event.error !== undefined) result[attributes.errorType] = errorType(event.status, event.error);
  return result;
}
