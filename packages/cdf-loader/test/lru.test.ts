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
            const replaced = at === -1 ? undefined : model[at]![1];
            if (at !== -1) model.splice(at, 1);
            model.push([step.key, step.value]);
            if (model.length > max) model.shift();
            expect(lru.set(step.key, step.value, Number.POSITIVE_INFINITY)).toBe(replaced);
          }
          expect([...lru.values()]).toEqual(model.map(([, value]) => value));
          expect(lru.size).toBe(model.length);
        }
      }),
      { numRuns: 500 },
    );
  });

  test('`getMemo` makes its memo once per value, follows `get`, and drops it with the value', () => {
    let now = 1_000;
    const realNow = performance.now.bind(performance);
    performance.now = () => now;
    try {
      const lru = new Lru<string, number, { of: number }>(2);
      const made: number[] = [];
      const make = (value: number): { of: number } => {
        made.push(value);
        return { of: value };
      };
      expect(lru.getMemo('a', undefined, make)).toBeUndefined();
      lru.set('a', 1, 100);
      const first = lru.getMemo('a', undefined, make);
      expect(first).toEqual({ of: 1 });
      expect(lru.getMemo('a', undefined, make)).toBe(first);
      lru.set('a', 2, 100); // replaced: a memo of the new value
      expect(lru.getMemo('a', undefined, make)).toEqual({ of: 2 });
      lru.set('b', 3, 100);
      expect(lru.getMemo('b', undefined, make)).toEqual({ of: 3 });
      lru.set('c', 4, 100); // evicts 'a'; its slot goes to 'c' without the old memo
      expect(lru.getMemo('c', undefined, make)).toEqual({ of: 4 });
      expect(lru.getMemo('a', undefined, make)).toBeUndefined();
      lru.delete('b');
      lru.set('b', 5, 100);
      expect(lru.getMemo('b', undefined, make)).toEqual({ of: 5 });
      expect(made).toEqual([1, 2, 3, 4, 5]);
      // The memo is the most recent use, as `get` is: 'c' stays, 'b' goes.
      expect(lru.getMemo('c', undefined, make)).toEqual({ of: 4 });
      lru.set('d', 6, 100);
      expect(lru.peek('b')).toBeUndefined();
      now += 100;
      expect(lru.getMemo('c', undefined, make)).toBeUndefined();
      lru.clear();
      lru.set('c', 7, 100);
      expect(lru.getMemo('c', undefined, make)).toEqual({ of: 7 });
      expect(made).toEqual([1, 2, 3, 4, 5, 7]);
    } finally {
      performance.now = realNow;
    }
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
