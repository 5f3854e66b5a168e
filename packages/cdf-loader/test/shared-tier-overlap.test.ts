import { expect, test } from 'vitest';
import { createFilesLoader, createMemorySharedCache, createMemorySharedConcurrency, type SharedCache, type SharedConcurrency } from '../src/index.js';
import { byIdsRequests, optionsFor, until, useMockCdf } from './support.js';

const cdf = useMockCdf({ counts: { files: 300 } });

test('the first look in the shared tier runs beside the wait for slots, and the request waits for it before claiming', async () => {
  const memory = createMemorySharedCache();
  let answerLook: (() => void) | undefined;
  // A tier whose first look is held until the test lets it go.
  const slowFirstLook: SharedCache = {
    id: memory.id,
    getMany: async (scope, keys) => {
      if (answerLook === undefined) await new Promise<void>((resolve) => (answerLook = resolve));
      return memory.getMany(scope, keys);
    },
    setMany: (scope, items, notFound) => memory.setMany(scope, items, notFound),
    claim: (scope, keys, ttlMs) => memory.claim(scope, keys, ttlMs),
    delete: (scope, keys) => memory.delete(scope, keys),
    clear: (scope) => memory.clear(scope),
    subscribe: (listener) => memory.subscribe(listener),
  };
  const budget = createMemorySharedConcurrency(1);
  let acquired = 0;
  const counting: SharedConcurrency = { limit: 1, acquire: (signal) => (acquired++, budget.acquire(signal)) };
  const files = createFilesLoader(optionsFor(cdf(), { cache: { shared: slowFirstLook }, sharedConcurrency: counting }));
  const wanted = cdf().data.files.slice(0, 3);

  const loading = Promise.all(wanted.map((file) => files.load({ id: file.id })));
  await until(() => answerLook !== undefined && acquired === 1, 'the look and the wait for a slot, both under way');
  // The slot is held, the look still unanswered: nothing is claimed or sent yet.
  expect(budget.held).toBe(1);
  expect(byIdsRequests(cdf())).toHaveLength(0);
  answerLook!();
  expect(await loading).toEqual(wanted);
  expect(byIdsRequests(cdf()).map((entry) => entry.items.length)).toEqual([3]);
});
