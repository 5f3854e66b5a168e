import { instrumentCdfLoader } from '@cdf-loader/otel';
import { context, SpanKind, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createGraphQLHandler, type ServerOptions } from './server.js';

/** The name of the span around the GraphQL operation: the one HTTP or GraphQL instrumentation would make. */
export const OPERATION_SPAN_NAME = 'graphql operation';

/** One GraphQL request, sent in-process. */
export interface OperationRequest {
  /** The caller's CDF access token, sent as `Authorization: Bearer <token>`. */
  token: string;
  query: string;
  variables?: Record<string, unknown>;
}

export interface TracedOperation {
  /** Yoga's answer: the HTTP status and the JSON body. */
  reply: { status: number; body: unknown };
  /** The span around the operation, the root of the trace. */
  operation: ReadableSpan;
  /** Every span that ended while the operation ran, in the order they ended: the operation's last. */
  spans: ReadableSpan[];
}

/**
 * Sends one GraphQL request to a fresh `createGraphQLHandler(server)`, in-process, inside an
 * active span named `graphql operation`, with `instrumentCdfLoader` recording on an in-memory
 * tracer provider, and returns the spans. The AsyncLocalStorage context manager it needs (so the
 * active span follows each load into its byids request) is registered for the call and removed
 * after: one call at a time, in a process without a context manager of its own.
 */
export async function traceOperation(server: ServerOptions, request: OperationRequest): Promise<TracedOperation> {
  if (!context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())) {
    throw new Error('traceOperation needs to register its own context manager, and one is already registered: call `context.disable()` first.');
  }
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const stopInstrumentation = instrumentCdfLoader({ tracerProvider });
  const yoga = createGraphQLHandler(server);
  try {
    const operation = tracerProvider.getTracer('cdf-loader-example-graphql-yoga').startSpan(OPERATION_SPAN_NAME, { kind: SpanKind.SERVER });
    const reply = await context.with(trace.setSpan(context.active(), operation), async () => {
      const response = await yoga.fetch('http://localhost/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${request.token}` },
        body: JSON.stringify({ query: request.query, variables: request.variables }),
      });
      return { status: response.status, body: (await response.json()) as unknown };
    });
    operation.end();
    const spans = exporter.getFinishedSpans();
    const operationId = operation.spanContext().spanId;
    return { reply, spans, operation: spans.find((span) => span.spanContext().spanId === operationId)! };
  } finally {
    await yoga.dispose();
    stopInstrumentation();
    context.disable();
  }
}
