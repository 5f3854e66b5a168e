import { type MockCdf, startMockCdf } from '@cdf-loader/mock-cdf';
import { type Attributes, context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { AggregationTemporality, type DataPoint, type Histogram, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createFilesLoader, type FilesLoader, type LoaderOptions } from 'cdf-loader';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { instrumentCdfLoader } from '../src/index.js';

/**
 * A metric reader that exports nowhere: the test collects when it wants to look. Delta
 * temporality: each collection shows what was recorded (or observed) since the one before.
 */
class CollectingReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.DELTA });
  }

  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

/** One metric's points as plain values: a number for sums and gauges, `{ count, sum }` for histograms. */
export type Points = { attributes: Attributes; value: number | { count: number; sum: number } }[];

export interface Harness {
  /** The fake CDF, started once for the file and reset before each test. */
  cdf: MockCdf;
  /** A fresh loader for the fake, with quick retries. */
  loader(extra?: Partial<LoaderOptions>): FilesLoader;
  /** The spans ended so far, oldest first. */
  spans: InMemorySpanExporter;
  /** A tracer of the same provider, for parent spans. */
  tracerProvider: BasicTracerProvider;
  /** Collects the metrics now: each metric name with its points since the last collection. */
  metrics(): Promise<Map<string, Points>>;
  /** Stops this test's instrumentation (also done after each test). */
  stop: () => void;
}

/**
 * For every test of the file: the fake CDF, an AsyncLocalStorage context manager (so the active
 * span follows a load into its request), and `instrumentCdfLoader` on fresh in-memory providers.
 */
export function useInstrumentation(): () => Harness {
  let cdf: MockCdf | undefined;
  let harness: Harness | undefined;
  beforeAll(async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    cdf = await startMockCdf({ counts: { files: 40 } });
  });
  afterAll(async () => {
    context.disable();
    await cdf?.close();
  });
  beforeEach(() => {
    const fake = cdf!;
    fake.reset();
    const spans = new InMemorySpanExporter();
    const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
    const reader = new CollectingReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    harness = {
      cdf: fake,
      loader: (extra = {}) =>
        createFilesLoader({ baseUrl: fake.url, project: fake.project, getToken: () => fake.token, retry: { baseDelayMs: 1, maxDelayMs: 1 }, ...extra }),
      spans,
      tracerProvider,
      metrics: async () => {
        const { resourceMetrics } = await reader.collect();
        const byName = new Map<string, Points>();
        for (const metric of resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics)) {
          byName.set(metric.descriptor.name, (metric.dataPoints as DataPoint<number | Histogram>[]).map(plainPoint));
        }
        return byName;
      },
      stop: instrumentCdfLoader({ tracerProvider, meterProvider }),
    };
  });
  afterEach(() => harness?.stop());
  return () => {
    if (harness === undefined) throw new Error('the instrumentation is not started yet');
    return harness;
  };
}

function plainPoint({ attributes, value }: DataPoint<number | Histogram>): Points[number] {
  return { attributes, value: typeof value === 'number' ? value : { count: value.count, sum: value.sum ?? 0 } };
}
