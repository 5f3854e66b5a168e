import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { createCdfLoaderPool } from '../src/index.js';
import { useMockCdf } from './support.js';

const cdf = useMockCdf({ counts: { files: 10 } });

describe('pool principals are bounded by use', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'] });
    vi.advanceTimersByTime(1);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  test('a principal idle longer than `principalIdleMs` is dropped; one in use is kept', () => {
    const pool = createCdfLoaderPool({ baseUrl: cdf().url, project: cdf().project, principalIdleMs: 60_000 });
    const token = (): string => cdf().token;
    const alice = pool.forPrincipal('alice', token);
    pool.forPrincipal('bob', token);
    vi.advanceTimersByTime(40_000);
    expect(pool.forPrincipal('alice', token)).toBe(alice); // alice is used again; bob is not
    vi.advanceTimersByTime(55_000); // bob idle 95 s, alice 55 s; the sweep runs every 30 s

    expect(pool.size).toBe(1);
    expect(pool.forPrincipal('alice', token)).toBe(alice);
    void pool.close();
  });

  test('`principalIdleMs: Infinity` keeps principals until `maxPrincipals` pushes them out', () => {
    const pool = createCdfLoaderPool({ baseUrl: cdf().url, project: cdf().project, principalIdleMs: Infinity, maxPrincipals: 2 });
    for (const name of ['a', 'b']) pool.forPrincipal(name, () => cdf().token);
    vi.advanceTimersByTime(10 * 24 * 3_600_000);
    expect(pool.size).toBe(2);
    pool.forPrincipal('c', () => cdf().token);
    expect(pool.size).toBe(2);
    expect(vi.getTimerCount()).toBe(0);
  });
});
