import { describe, expect, test } from 'vitest';
import { createCdfLoaders, createFilesLoader, type LoaderOptions } from '../src/index.js';

const valid: LoaderOptions = { baseUrl: 'https://westeurope-1.cognitedata.com', project: 'p', getToken: () => 't' };

const notLimiter = (): undefined => undefined;

const BAD_OPTIONS: [Record<string, unknown>, string][] = [
    [{ baseUrl: undefined }, "`baseUrl` must be an http(s) URL such as 'https://westeurope-1.cognitedata.com', got undefined."],
    [{ baseUrl: 'westeurope-1.cognitedata.com' }, "`baseUrl` must be an http(s) URL such as 'https://westeurope-1.cognitedata.com', got \"westeurope-1.cognitedata.com\"."],
    [{ baseUrl: 'ftp://x' }, "`baseUrl` must be an http(s) URL such as 'https://westeurope-1.cognitedata.com', got \"ftp://x\"."],
    [{ project: '' }, '`project` must be a non-empty string, got "".'],
    [{ project: undefined }, '`project` must be a non-empty string, got undefined.'],
    [{ getToken: 'secret' }, '`getToken` must be a function, got "secret".'],
    [{ appId: 3 }, '`appId` must be a non-empty string, got 3.'],
    [{ maxBatchSize: 0 }, "`maxBatchSize` must be an integer from 1 to 1000 (CDF's limit), got 0."],
    [{ maxBatchSize: 1001 }, "`maxBatchSize` must be an integer from 1 to 1000 (CDF's limit), got 1001."],
    [{ maxBatchSize: 10.5 }, "`maxBatchSize` must be an integer from 1 to 1000 (CDF's limit), got 10.5."],
    [{ maxConcurrency: 0 }, '`maxConcurrency` must be a positive integer, got 0.'],
    [{ maxConcurrency: Infinity }, '`maxConcurrency` must be a positive integer, got Infinity.'],
    [{ limiter: 4 }, '`limiter` must be a p-limit limiter (a function with a `concurrency`), got 4.'],
    [{ limiter: notLimiter }, '`limiter` must be a p-limit limiter (a function with a `concurrency`), got [function notLimiter].'],
    [{ adaptiveConcurrency: 'yes' }, '`adaptiveConcurrency` must be true or false, got "yes".'],
    [{ limiter: notLimiter, maxConcurrency: 2 }, 'Pass either `limiter` or `maxConcurrency`, not both: a shared limiter sets the concurrency.'],
    [{ batchWindowMs: -1 }, '`batchWindowMs` must be a finite number ≥ 0, got -1.'],
    [{ cache: true }, '`cache` must be an object or `false`, got true.'],
    [{ cache: { max: 0 } }, '`cache.max` must be a positive integer, got 0.'],
    [{ cache: { ttlMs: 0 } }, '`cache.ttlMs` must be a positive integer or Infinity, got 0.'],
    [{ cache: { notFoundTtlMs: -5 } }, '`cache.notFoundTtlMs` must be an integer ≥ 0, got -5.'],
    [{ missing: 'undefined' }, "`missing` must be 'null' or 'error', got \"undefined\"."],
    [{ retry: 5 }, '`retry` must be an object, got 5.'],
    [{ retry: { limit: -1 } }, '`retry.limit` must be an integer ≥ 0, got -1.'],
    [{ retry: { baseDelayMs: -1 } }, '`retry.baseDelayMs` must be a finite number ≥ 0, got -1.'],
    [{ retry: { baseDelayMs: 500, maxDelayMs: 100 } }, '`retry.maxDelayMs` must be a finite number ≥ `retry.baseDelayMs`, got 100.'],
    [{ timeoutMs: 0 }, '`timeoutMs` must be a finite number > 0, got 0.'],
    [{ fetch: {} }, '`fetch` must be a function, got {}.'],
    [{ onRequest: 'log' }, '`onRequest` must be a function, got "log".'],
];

describe('options are checked at construction', () => {
  test.each(BAD_OPTIONS)('%j → TypeError', (override, message) => {
    const options = { ...valid, ...override } as LoaderOptions;
    expect(() => createFilesLoader(options)).toThrow(new TypeError(message));
    expect(() => createCdfLoaders(options)).toThrow(new TypeError(message));
  });

  test('options that are not an object', () => {
    expect(() => createFilesLoader(undefined as never)).toThrow(
      new TypeError('Options must be an object with `baseUrl`, `project` and `getToken`, got undefined.'),
    );
  });

  test('the documented defaults are accepted, as are the edges', () => {
    expect(() => createFilesLoader(valid)).not.toThrow();
    expect(() =>
      createFilesLoader({
        ...valid,
        maxBatchSize: 1,
        batchWindowMs: 0,
        cache: { max: 1, ttlMs: Infinity, notFoundTtlMs: 0 },
        retry: { limit: 0, baseDelayMs: 0, maxDelayMs: 0 },
        missing: 'error',
      }),
    ).not.toThrow();
  });
});
