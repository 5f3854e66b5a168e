import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { Lru } from '../src/cache/lru.js';

type Operation = { op: 'get' | 'delete'; key: number } | { op: 'set'; key: number; value: number };

describe('the LRU behind the cache and the pool', () => {
  test('matches a plain model: most recently used last, the oldest evicted past `max`', () => {
    const operation: fc.Arbitrary<Operation> = fc.oneof(
      fc.record({ op: fc.constant('get' as const), key: fc.integer({ min: 0, max: 9 }) }),
      fc.record({ op: fc.constant('delete' as const), key: fc.integer({ min: 0, max: 9 }) }),
      fc.record({ op: fc.constant('set' as const), key: fc.integer({ min: 0, max: 9 }), value: fc.integer() }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.array(operation, { maxLength: 60 }), (max, operations) => {
        const lru = new Lru<number, number>(max);
        const model: [number, number][] = []; // oldest first
        for (const step of operations) {
          const at = model.findIndex(([key]) => key === step.key);
          if (step.op === 'get') {
            const expected = at === -1 ? undefined : model[at]![1];
            if (at !== -1) model.push(...model.splice(at, 1));
            expect(lru.get(step.key)).toBe(expected);
          } else if (step.op === 'delete') {
            if (at !== -1) model.splice(at, 1);
            expect(lru.delete(step.key)).toBe(at !== -1);
          } else if (step.op === 'set') {
            if (at !== -1) model.splice(at, 1);
            model.push([step.key, step.value]);
            if (model.length > max) model.shift();
            lru.set(step.key, step.value, Number.POSITIVE_INFINITY);
          }
          expect([...lru.values()]).toEqual(model.map(([, value]) => value));
          expect(lru.size).toBe(model.length);
        }
      }),
      { numRuns: 500 },
    );
  });

  test('an entry past its time to live is gone on `get` and on `purgeStale`, and `peek` sees it until then', () => {
    let now = 1_000;
    const realNow = performance.now.bind(performance);
    performance.now = () => now;
    try {
      const lru = new Lru<string, number>(10);
      lru.set('short', 1, 100);
      lru.set('long', 2, 10_000);
      lru.set('never', 3, Number.POSITIVE_INFINITY);
      now += 100;
      expect(lru.peek('short')).toBe(1);
      expect(lru.get('short')).toBeUndefined();
      expect(lru.size).toBe(2);
      now += 1e9;
      lru.purgeStale();
      expect([...lru.values()]).toEqual([3]);
    } finally {
      performance.now = realNow;
    }
  });
});
