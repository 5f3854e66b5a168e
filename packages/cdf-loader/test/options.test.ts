import { describe, expect, test } from 'vitest';
import { createCdfLoaderPool, createCdfLoaders, createConcurrencyLimit, createFilesLoader, type LoaderOptions } from '../src/index.js';

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
    [{ maxConcurrency: 0 }, '`maxConcurrency` must be an integer ≥ 1, got 0.'],
    [{ maxConcurrency: Infinity }, '`maxConcurrency` must be an integer ≥ 1, got Infinity.'],
    [{ limiter: 4 }, '`limiter` must be a limit from `createConcurrencyLimit()`, got 4.'],
    [{ limiter: notLimiter }, '`limiter` must be a limit from `createConcurrencyLimit()`, got [function notLimiter].'],
    [{ adaptiveConcurrency: 'yes' }, '`adaptiveConcurrency` must be true or false, got "yes".'],
    [{ limiter: createConcurrencyLimit(), maxConcurrency: 2 }, 'Pass either `limiter` or `maxConcurrency`/`adaptiveConcurrency`, not both: a shared limit has its own settings (see `createConcurrencyLimit`).'],
    [{ limiter: createConcurrencyLimit(), adaptiveConcurrency: false }, 'Pass either `limiter` or `maxConcurrency`/`adaptiveConcurrency`, not both: a shared limit has its own settings (see `createConcurrencyLimit`).'],
    [{ batchWindowMs: -1 }, '`batchWindowMs` must be a number of milliseconds from 0 to 2147483647 (what a timer holds), got -1.'],
    [{ batchWindowMs: 2 ** 31 }, '`batchWindowMs` must be a number of milliseconds from 0 to 2147483647 (what a timer holds), got 2147483648.'],
    [{ batchWindowMs: Infinity }, '`batchWindowMs` must be a number of milliseconds from 0 to 2147483647 (what a timer holds), got Infinity.'],
    [{ cache: true }, '`cache` must be an object or `false`, got true.'],
    [{ cache: { max: 0 } }, '`cache.max` must be an integer ≥ 1, got 0.'],
    [{ cache: { ttlMs: 0 } }, '`cache.ttlMs` must be a number of milliseconds from 1 to 2147483647 (what a timer holds), or Infinity, got 0.'],
    [{ cache: { ttlMs: Number.MAX_SAFE_INTEGER } }, '`cache.ttlMs` must be a number of milliseconds from 1 to 2147483647 (what a timer holds), or Infinity, got 9007199254740991.'],
    [{ cache: { notFoundTtlMs: -5 } }, '`cache.notFoundTtlMs` must be a number of milliseconds from 0 to 2147483647 (what a timer holds), or Infinity, got -5.'],
    [{ cache: { ttl: 5 } }, 'Unknown option `cache.ttl`; did you mean `cache.ttlMs`?'],
    [{ missing: 'undefined' }, "`missing` must be 'null' or 'error', got \"undefined\"."],
    [{ retry: 5 }, '`retry` must be an object, got 5.'],
    [{ retry: { limit: -1 } }, '`retry.limit` must be an integer ≥ 0, got -1.'],
    [{ retry: { baseDelayMs: -1 } }, '`retry.baseDelayMs` must be a number of milliseconds from 0 to 2147483647 (what a timer holds), got -1.'],
    [{ retry: { baseDelayMs: 500, maxDelayMs: 100 } }, '`retry.maxDelayMs` must be a number of milliseconds from `retry.baseDelayMs` to 2147483647 (what a timer holds), got 100.'],
    [{ retry: { maxDelayMs: 3e9 } }, '`retry.maxDelayMs` must be a number of milliseconds from `retry.baseDelayMs` to 2147483647 (what a timer holds), got 3000000000.'],
    [{ retry: { limits: 3 } }, 'Unknown option `retry.limits`; did you mean `retry.limit`?'],
    [{ timeoutMs: 0 }, '`timeoutMs` must be a number of milliseconds from 1 to 2147483647 (what a timer holds), or Infinity, got 0.'],
    [{ timeoutMs: 2 ** 31 }, '`timeoutMs` must be a number of milliseconds from 1 to 2147483647 (what a timer holds), or Infinity, got 2147483648.'],
    [{ timeoutMs: 1e10 }, '`timeoutMs` must be a number of milliseconds from 1 to 2147483647 (what a timer holds), or Infinity, got 10000000000.'],
    [{ timeoutMs: Number.MAX_SAFE_INTEGER }, '`timeoutMs` must be a number of milliseconds from 1 to 2147483647 (what a timer holds), or Infinity, got 9007199254740991.'],
    [{ maxBatch: 10 }, 'Unknown option `maxBatch`; did you mean `maxBatchSize`?'],
    [{ timeout: 10 }, 'Unknown option `timeout`; did you mean `timeoutMs`?'],
    [{ baseUrl: 'http://127.0.0.1:4000/api/v1/projects/mock-project' }, "`baseUrl` must be the cluster's URL without a path (such as 'http://127.0.0.1:4000'): the loader adds `/api/v1/projects/<project>` itself, got \"http://127.0.0.1:4000/api/v1/projects/mock-project\"."],
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
    expect(() =>
      createFilesLoader({
        ...valid,
        baseUrl: 'https://westeurope-1.cognitedata.com/',
        batchWindowMs: 2 ** 31 - 1,
        timeoutMs: Infinity,
        cache: { ttlMs: 2 ** 31 - 1, notFoundTtlMs: Infinity },
        retry: { maxDelayMs: 2 ** 31 - 1 },
      }),
    ).not.toThrow();
  });

  test('the pool checks the same options once, and its own', () => {
    const { getToken: _, ...poolOptions } = valid;
    expect(() => createCdfLoaderPool({ ...poolOptions, timeoutMs: 1e10 })).toThrow(
      new TypeError('`timeoutMs` must be a number of milliseconds from 1 to 2147483647 (what a timer holds), or Infinity, got 10000000000.'),
    );
    expect(() => createCdfLoaderPool({ ...poolOptions, maxPrincipal: 5 } as never)).toThrow(
      new TypeError('Unknown option `maxPrincipal`; did you mean `maxPrincipals`?'),
    );
    expect(() => createCdfLoaderPool({ ...poolOptions, principalIdleMs: 2 ** 31 })).toThrow(
      new TypeError('`principalIdleMs` must be a number of milliseconds from 1 to 2147483647 (what a timer holds), or Infinity, got 2147483648.'),
    );
    expect(() => createCdfLoaderPool({ ...poolOptions, maxPrincipals: 0 })).toThrow(new TypeError('`maxPrincipals` must be an integer ≥ 1, got 0.'));
    expect(() => createCdfLoaderPool(valid as never)).toThrow(
      new TypeError("A pool takes no `getToken`: pass each principal's to `forPrincipal(principal, getToken)`, or use `forToken(token)`."),
    );
  });

  test('`createConcurrencyLimit` checks its own options', () => {
    expect(() => createConcurrencyLimit({ maxConcurrency: 0 })).toThrow(new TypeError('`maxConcurrency` must be an integer ≥ 1, got 0.'));
    expect(() => createConcurrencyLimit({ adaptive: 'no' as never })).toThrow(new TypeError('`adaptive` must be true or false, got "no".'));
    expect(() => createConcurrencyLimit({ max: 3 } as never)).toThrow(new TypeError('Unknown option `max`; did you mean `maxConcurrency`?'));
  });
});
