import type { MockCdfSettings, MockCounters } from '@cdf-loader/mock-cdf';

/** How the fake CDF is started: its data size and initial throttling and latency. */
export interface FakeCdfOptions {
  /** Files generated (seeded, so every run sees the same data). */
  files: number;
  /** Fixed latency before every answer, in ms. */
  latencyMs?: number;
  /** Requests served at once; beyond that the fake answers 429. */
  concurrencyLimit?: number;
}

/** What a scenario may change between runs. */
export interface FakeCdfSettings {
  latencyMs: number;
  /** `undefined`: no limit. */
  concurrencyLimit: number | undefined;
  /** At most `requests` arrivals in any `intervalMs` (throttled ones count), 429 beyond; absent: no limit. */
  rateLimit?: { requests: number; intervalMs: number } | undefined;
}

/** The request counters a scenario reads after each run. */
export type FakeCdfCounters = Pick<MockCounters, 'requests' | 'items' | 'throttled' | 'maxConcurrent'>;

/** A running fake CDF, wherever it runs: in a child process (the bench) or in this one (the test). */
export interface FakeCdf {
  readonly url: string;
  readonly project: string;
  readonly token: string;
  /** Ids of the generated files, in generation order. */
  readonly fileIds: readonly number[];
  configure(settings: FakeCdfSettings): Promise<void>;
  /** Zeroes the counters and clears the request log. */
  reset(): Promise<void>;
  counters(): Promise<FakeCdfCounters>;
  close(): Promise<void>;
}

/** Starts a fake CDF; `forkFakeCdf` in the bench, `startInProcessFakeCdf` in the test. */
export type FakeCdfFactory = (options: FakeCdfOptions) => Promise<FakeCdf>;

/** The mock-cdf settings for these bench settings. */
export function mockSettings(settings: FakeCdfSettings): MockCdfSettings {
  return { latency: { fixedMs: settings.latencyMs }, concurrencyLimit: settings.concurrencyLimit, rateLimit: settings.rateLimit };
}

/** The counters a scenario reads, copied out of the live mock counters. */
export function pickCounters(counters: MockCounters): FakeCdfCounters {
  const { requests, items, throttled, maxConcurrent } = counters;
  return { requests, items, throttled, maxConcurrent };
}
