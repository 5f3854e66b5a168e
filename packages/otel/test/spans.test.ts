import { readFileSync } from 'node:fs';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { context, type HrTime, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { channels, type RequestEvent, type RetryEvent } from 'cdf-loader';
import { describe, expect, test } from 'vitest';
import { VERSION } from '../src/version.js';
import { useInstrumentation } from './support.js';

const harness = useInstrumentation();

function milliseconds([seconds, nanoseconds]: HrTime): number {
  return seconds * 1000 + nanoseconds / 1e6;
}

/** What is published on `name` while `run` runs. */
async function published<Event>(name: string, run: () => Promise<unknown>): Promise<Event[]> {
  const events: Event[] = [];
  const listener = (message: unknown): void => {
    events.push(message as Event);
  };
  subscribe(name, listener);
  try {
    await run();
  } finally {
    unsubscribe(name, listener);
  }
  return events;
}

describe('spans', () => {
  test('one CLIENT span per byids attempt, with the request’s attributes and times', async () => {
    const { cdf, loader, spans } = harness();
    const files = loader();
    const [a, b] = cdf.data.files;
    const [event] = await published<RequestEvent>(channels.request, () =>
      Promise.all([files.load({ id: a!.id }), files.load({ id: b!.id }), files.load({ id: 12 })]),
    );

    const [span, ...others] = spans.getFinishedSpans();
    expect(others).toEqual([]);
    expect(span!.name).toBe('cdf-loader files byids');
    expect(span!.kind).toBe(SpanKind.CLIENT);
    expect(span!.status).toEqual({ code: SpanStatusCode.UNSET });
    expect(span!.attributes).toEqual({
      'cdf.project': cdf.project,
      'cdf.resource': 'files',
      'cdf_loader.request.identifiers': 3,
      'cdf_loader.request.attempt': 1,
      'http.request.method': 'POST',
      'http.response.status_code': 200,
      'cdf.request_id': cdf.log[0]!.requestId,
    });
    expect(milliseconds(span!.startTime)).toBeCloseTo(event!.startTime, 2);
    expect(milliseconds(span!.duration)).toBeCloseTo(event!.durationMs, 2);
    expect(span!.instrumentationScope).toMatchObject({ name: '@cdf-loader/otel', version: VERSION });
    expect(span!.parentSpanContext).toBeUndefined();
  });

  test('a 503 then a success: two spans, the first failed, and the retry as an event of the parent', async () => {
    const { cdf, loader, spans, tracerProvider } = harness();
    cdf.addFault({ request: 1, status: 503 });
    const files = loader();
    const file = cdf.data.files[0]!;
    const parent = tracerProvider.getTracer('test').startSpan('resolve file');

    const [retry] = await published<RetryEvent>(channels.retry, () =>
      context.with(trace.setSpan(context.active(), parent), () => files.load({ id: file.id })),
    );
    parent.end();

    const [failed, succeeded, parentSpan] = spans.getFinishedSpans();
    expect(parentSpan!.name).toBe('resolve file');
    expect(failed!.status).toEqual({ code: SpanStatusCode.ERROR, message: expect.stringContaining('CDF files/byids failed with 503') });
    expect(failed!.attributes).toEqual({
      'cdf.project': cdf.project,
      'cdf.resource': 'files',
      'cdf_loader.request.identifiers': 1,
      'cdf_loader.request.attempt': 1,
      'http.request.method': 'POST',
      'http.response.status_code': 503,
      'cdf.request_id': cdf.log[0]!.requestId,
      'error.type': '503',
    });
    expect(succeeded!.status).toEqual({ code: SpanStatusCode.UNSET });
    expect(succeeded!.attributes).toMatchObject({ 'cdf_loader.request.attempt': 2, 'http.request.resend_count': 1, 'http.response.status_code': 200 });
    for (const attempt of [failed!, succeeded!]) {
      expect(attempt.spanContext().traceId).toBe(parent.spanContext().traceId);
      expect(attempt.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    }
    expect(parentSpan!.events.map(({ name, attributes }) => ({ name, attributes }))).toEqual([
      {
        name: 'cdf_loader.retry',
        attributes: {
          'cdf.resource': 'files',
          'cdf_loader.request.attempt': 1,
          'cdf_loader.request.identifiers': 1,
          'cdf_loader.retry.delay_ms': retry!.delayMs,
          'http.response.status_code': 503,
        },
      },
    ]);
  });

  test('an attempt without an answer has no status code, and its error class as `error.type`', async () => {
    const { cdf, loader, spans } = harness();
    cdf.addFault({ request: 1, drop: true });
    await expect(loader({ retry: { limit: 0 } }).load({ id: cdf.data.files[0]!.id })).rejects.toThrow('no response');

    const [span] = spans.getFinishedSpans();
    expect(span!.status).toEqual({ code: SpanStatusCode.ERROR, message: expect.stringContaining('no response') });
    expect(span!.attributes['http.response.status_code']).toBeUndefined();
    expect(span!.attributes['error.type']).toBe('CdfApiError');
  });

  test('a request shared by loads of two traces is a child of the load that opened it', async () => {
    const { cdf, loader, spans, tracerProvider } = harness();
    const files = loader();
    const tracer = tracerProvider.getTracer('test');
    const first = tracer.startSpan('first');
    const second = tracer.startSpan('second');
    const [a, b] = cdf.data.files;
    await Promise.all([
      context.with(trace.setSpan(context.active(), first), () => files.load({ id: a!.id })),
      context.with(trace.setSpan(context.active(), second), () => files.load({ id: b!.id })),
    ]);

    const [span, ...others] = spans.getFinishedSpans();
    expect(others).toEqual([]);
    expect(span!.attributes['cdf_loader.request.identifiers']).toBe(2);
    expect(span!.parentSpanContext?.spanId).toBe(first.spanContext().spanId);
  });

  test('`VERSION` matches package.json', () => {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(VERSION).toBe(manifest.version);
  });
});
