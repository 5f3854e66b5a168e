import { type MockCdf, type MockCdfOptions, type RequestLogEntry, type RouteName, startMockCdf } from '@cdf-loader/mock-cdf';
import { afterAll, afterEach, beforeAll, beforeEach, expect, vi } from 'vitest';
import type { FileLinksOptions, InstancesOptions, LoaderOptions, LoaderSetOptions } from '../src/index.js';

/**
 * Starts one fake CDF for the test file and empties its log and faults before each test.
 * Returns an accessor, since the server starts in `beforeAll`.
 */
export function useMockCdf(options: MockCdfOptions = {}): () => MockCdf {
  let cdf: MockCdf | undefined;
  beforeAll(async () => {
    cdf = await startMockCdf(options);
  });
  afterAll(async () => {
    await cdf?.close();
  });
  beforeEach(() => {
    cdf?.reset();
  });
  // A test must not leave requests behind for the next one's log.
  afterEach(async () => {
    if (cdf !== undefined) await until(() => cdf!.counters.inFlight === 0, 'the requests of this test to end');
  });
  return () => {
    if (cdf === undefined) throw new Error('the fake CDF is not started yet');
    return cdf;
  };
}

/** Options of any loader, beside the connection. */
type ExtraOptions = Partial<LoaderOptions & LoaderSetOptions & FileLinksOptions & InstancesOptions>;

/** Loader options pointing at the fake, with its token. */
export function optionsFor(cdf: MockCdf, extra: ExtraOptions = {}): LoaderOptions & ExtraOptions {
  return { baseUrl: cdf.url, project: cdf.project, getToken: () => cdf.token, ...extra };
}

/** The byids requests the fake received, in arrival order. */
export function byIdsRequests(cdf: MockCdf): RequestLogEntry[] {
  return cdf.log.filter((entry) => entry.resource !== null);
}

/** The requests to one route (`files/downloadlink`, `models/instances`, a resource's byids) the fake received, in arrival order. */
export function requestsTo(cdf: MockCdf, route: RouteName): RequestLogEntry[] {
  return cdf.log.filter((entry) => entry.route === route);
}

/** Checks what every request must be: 1..1000 unique items, `ignoreUnknownIds: true`. */
export function expectWellFormedRequests(cdf: MockCdf): void {
  for (const entry of byIdsRequests(cdf)) {
    expect(entry.items.length).toBeGreaterThan(0);
    expect(entry.items.length).toBeLessThanOrEqual(1000);
    expect(new Set(entry.items.map((item) => JSON.stringify(item))).size).toBe(entry.items.length);
    expect(entry.ignoreUnknownIds).toBe(true);
  }
}

/** Files of the fake's data that carry exactly the given identifier kinds. */
export function filesWith(cdf: MockCdf, kinds: { externalId: boolean; instanceId: boolean }) {
  return cdf.data.files.filter(
    (file) => (file.externalId !== undefined) === kinds.externalId && (file.instanceId !== undefined) === kinds.instanceId,
  );
}

/** A promise and the functions that settle it (Node 20 lacks `Promise.withResolvers`). */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((settle) => {
    resolve = settle;
  });
  return { promise, resolve };
}

/**
 * A `fetch` that holds the first request until `release()`: lets a test keep every concurrency
 * slot busy for exactly as long as it wants, without timing.
 */
export function gatedFetch(): { fetch: typeof globalThis.fetch; release: () => void; firstSent: Promise<void> } {
  const gate = deferred();
  const sent = deferred();
  let first = true;
  const fetch: typeof globalThis.fetch = async (input, init) => {
    if (first) {
      first = false;
      sent.resolve();
      await gate.promise;
    }
    return globalThis.fetch(input, init);
  };
  return { fetch, release: () => gate.resolve(), firstSent: sent.promise };
}

/** Lets pending I/O callbacks and timers of this turn run: the boundary between two ticks. */
export function nextMacrotask(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Fakes the clock the loader reads (timers, `Date`, `performance`) for every test of the file,
 * leaving `setImmediate` and `process.nextTick` real so HTTP to the fake CDF flows.
 */
export function useFakeClock(): void {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
    vi.advanceTimersByTime(1);
  });
  afterEach(() => {
    vi.useRealTimers();
  });
}

/**
 * Fakes only `performance`, the clock the caches read, for every test of the file: retries,
 * timeouts and the fake CDF keep real timers, so a request can fail for good while cached entries
 * age exactly as far as the test advances them.
 */
export function useFakeCacheClock(): void {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['performance'] });
    vi.advanceTimersByTime(1);
  });
  afterEach(() => {
    vi.useRealTimers();
  });
}

/**
 * Polls `check` once per event-loop turn until it passes, for at most `timeoutMs` of real time
 * (read from `process.hrtime`, which `useFakeClock` leaves real), then fails naming `what`.
 */
export async function until(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = process.hrtime.bigint() + BigInt(timeoutMs) * 1_000_000n;
  while (!check()) {
    if (process.hrtime.bigint() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** A seeded Fisher–Yates shuffle. */
export function shuffle<T>(items: readonly T[], seed: number): T[] {
  const shuffled = [...items];
  let state = seed >>> 0 || 1;
  for (let index = shuffled.length - 1; index > 0; index--) {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    const other = state % (index + 1);
    [shuffled[index], shuffled[other]] = [shuffled[other]!, shuffled[index]!];
  }
  return shuffled;
}
