import { describe, expect, test } from 'vitest';
import { type ConcurrencyLimit, createConcurrencyLimit } from '../src/index.js';

function controller(max: number): ConcurrencyLimit {
  return createConcurrencyLimit({ maxConcurrency: max });
}

function succeed(concurrency: ConcurrencyLimit, times: number): void {
  for (let count = 0; count < times; count++) concurrency.succeeded();
}

describe('adaptive concurrency (AIMD)', () => {
  test('a 429 halves the limit; a run of successes as long as the limit raises it by one', () => {
    const concurrency = controller(8);
    concurrency.throttled(concurrency.generation);
    expect(concurrency.current).toBe(4);
    succeed(concurrency, 3);
    expect(concurrency.current).toBe(4);
    succeed(concurrency, 1);
    expect(concurrency.current).toBe(5);
    succeed(concurrency, 5 + 6);
    expect(concurrency.current).toBe(7);
  });

  test('going back to the level that met the 429 waits eight times as long', () => {
    const concurrency = controller(8);
    concurrency.throttled(concurrency.generation); // at 8: 8 is the level that met the 429
    succeed(concurrency, 4 + 5 + 6);
    expect(concurrency.current).toBe(7);
    succeed(concurrency, 8 * 7 - 1);
    expect(concurrency.current).toBe(7);
    succeed(concurrency, 1);
    expect(concurrency.current).toBe(8);
  });

  test('429s of requests sent before the last cut do not cut again', () => {
    const concurrency = controller(8);
    const before = concurrency.generation;
    concurrency.throttled(before);
    concurrency.throttled(before);
    concurrency.throttled(before);
    expect(concurrency.current).toBe(4);
    concurrency.throttled(concurrency.generation);
    expect(concurrency.current).toBe(2);
  });

  test('never below 1, never above the maximum, and off when disabled', () => {
    const concurrency = controller(2);
    for (let cut = 0; cut < 5; cut++) concurrency.throttled(concurrency.generation);
    expect(concurrency.current).toBe(1);
    succeed(concurrency, 1000);
    expect(concurrency.current).toBe(2);

    const fixed = createConcurrencyLimit({ maxConcurrency: 4, adaptive: false });
    fixed.throttled(fixed.generation);
    expect(fixed.current).toBe(4);
  });
});
