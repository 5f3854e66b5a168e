import type { AddressInfo } from 'node:net';
import { type MockCdf, type MockCdfOptions, startMockCdf } from '@cdf-loader/mock-cdf';
import { createFilesLoader, type FilesLoader, type LoaderOptions } from 'cdf-loader';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { createApp } from '../src/index.js';

/** One fake CDF per test file; its log, counters and faults are emptied before each test. */
export function useMockCdf(options: MockCdfOptions = {}): () => MockCdf {
  let cdf: MockCdf | undefined;
  beforeAll(async () => {
    cdf = await startMockCdf(options);
  });
  afterAll(() => cdf?.close());
  beforeEach(() => cdf?.reset());
  return () => {
    if (cdf === undefined) throw new Error('the fake CDF is not started yet');
    return cdf;
  };
}

export interface RunningApp {
  /** e.g. `http://127.0.0.1:PORT` */
  url: string;
  /** The loader the app shares between requests. */
  files: FilesLoader;
}

/**
 * A fresh app (so a fresh loader and cache) for each test, on a free port, in front of the fake.
 * `extra` is called before each test for more loader options.
 */
export function useApp(cdf: () => MockCdf, extra: () => Partial<LoaderOptions> = () => ({})): () => RunningApp {
  let app: RunningApp | undefined;
  let close = (): Promise<void> => Promise.resolve();
  beforeEach(async () => {
    const fake = cdf();
    const files = createFilesLoader({ baseUrl: fake.url, project: fake.project, getToken: () => fake.token, retry: { limit: 0 }, ...extra() });
    const server = createApp({ files }).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    app = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, files };
    close = () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    };
  });
  afterEach(() => close());
  return () => {
    if (app === undefined) throw new Error('the app is not started yet');
    return app;
  };
}

/** An HTTP answer: status and parsed JSON body. */
export async function request(url: string, init?: RequestInit): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, init);
  return { status: response.status, body: await response.json() };
}

/** POSTs JSON. */
export function post(url: string, body: unknown): Promise<{ status: number; body: unknown }> {
  return request(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/** The value at `index`, failing loudly when the fixture data is too small for the test. */
export function at<T>(items: readonly T[], index: number): T {
  const item = items[index];
  if (item === undefined) throw new Error(`no item at ${index}: the fake's data is too small for this test`);
  return item;
}

/** What cdf-loader itself says about an identifier: the message a 400 must carry. */
export async function loaderMessage(cdf: MockCdf, identifier: unknown): Promise<string> {
  const loader = createFilesLoader({ baseUrl: cdf.url, project: cdf.project, getToken: () => cdf.token });
  return loader.load(identifier as never).then(
    () => 'no error',
    (error: Error) => error.message,
  );
}
