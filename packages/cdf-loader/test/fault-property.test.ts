import { type Fault, startMockCdf } from '@cdf-loader/mock-cdf';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { CdfApiError, createFilesLoader } from '../src/index.js';
import { byIdsRequests, optionsFor, until } from './support.js';

const RETRY = { limit: 2, baseDelayMs: 1, maxDelayMs: 3 };
// Well below the faults' 500 ms stalls, well above a clean answer's time on a busy 2-core machine:
// at 60 ms, a clean answer read late under load timed out, and the test failed without a fault.
const TIMEOUT_MS = 250;

const faultArbitrary: fc.Arbitrary<Fault> = fc.record({
  request: fc.integer({ min: 1, max: 12 }),
  what: fc.oneof(
    fc.constantFrom(429, 500, 502, 503, 504, 400, 403).map((status): Omit<Fault, 'request'> => ({ status })),
    fc.constant<Omit<Fault, 'request'>>({ drop: true }),
    fc.constant<Omit<Fault, 'request'>>({ delayMs: 500 }),
    fc.constant<Omit<Fault, 'request'>>({ slowBodyMs: 500 }),
    fc.constant<Omit<Fault, 'request'>>({ status: 502, rawBody: '<html>gateway</html>' }),
    fc.constant<Omit<Fault, 'request'>>({ status: 500, headers: { 'cdf-is-auto-retryable': 'true' } }),
    fc.constant<Omit<Fault, 'request'>>({ status: 200, body: { items: 'broken' } }),
  ),
}).map(({ request, what }) => ({ request, ...what }));

/** The handles that would keep a process alive: timers and sockets. */
function openHandles(): { timers: number; sockets: number } {
  const resources = process.getActiveResourcesInfo();
  return {
    timers: resources.filter((resource) => resource === 'Timeout').length,
    sockets: resources.filter((resource) => resource === 'TCPSocketWrap').length,
  };
}

describe('under random faults', () => {
  test('every load settles once, within the retry budget, with the right value or an error, and nothing is left open', async () => {
    const scenario = fc.record({
      faults: fc.array(faultArbitrary, { maxLength: 6 }),
      picks: fc.array(fc.integer({ min: 0, max: 149 }), { minLength: 1, maxLength: 80 }),
      maxBatchSize: fc.integer({ min: 5, max: 40 }),
      maxConcurrency: fc.integer({ min: 1, max: 3 }),
    });

    await fc.assert(
      fc.asyncProperty(scenario, async ({ faults, picks, maxBatchSize, maxConcurrency }) => {
        const before = openHandles();
        const cdf = await startMockCdf({ counts: { files: 150 }, faults });
        try {
          const loader = createFilesLoader(optionsFor(cdf, { maxBatchSize, maxConcurrency, retry: RETRY, timeoutMs: TIMEOUT_MS }));
          const identifiers = picks.map((pick) => (pick < 120 ? { id: cdf.data.files[pick]!.id } : { id: pick }));
          const results = await Promise.allSettled(identifiers.map((identifier) => loader.load(identifier)));

          // A key sent in a request the fake answered without a fault must resolve: a transport
          // that fails every request without sending it cannot pass for "faults happen".
          const answeredCleanly = new Set<unknown>();
          for (const entry of byIdsRequests(cdf)) {
            if (entry.fault === null && entry.status === 200 && !entry.clientClosed) {
              for (const item of entry.items as { id: number }[]) answeredCleanly.add(item.id);
            }
          }
          results.forEach((result, index) => {
            const expected = cdf.data.find('files', identifiers[index]) ?? null;
            if (answeredCleanly.has(identifiers[index]!.id)) expect(result).toEqual({ status: 'fulfilled', value: expected });
            else if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(CdfApiError);
            else expect(result.value).toEqual(expected);
          });
          const chunks = Math.ceil(new Set(identifiers.map((identifier) => identifier.id)).size / maxBatchSize);
          expect(byIdsRequests(cdf).length).toBeGreaterThanOrEqual(chunks);
          expect(byIdsRequests(cdf).length).toBeLessThanOrEqual(chunks * (1 + RETRY.limit));
        } finally {
          await cdf.close();
        }
        await until(() => {
          const after = openHandles();
          return after.timers <= before.timers && after.sockets <= before.sockets;
        }, 'timers and sockets to be released');
      }),
      { numRuns: 40 },
    );
  });
});
