import { describe, expect, test } from 'vitest';
import { CdfApiError, createCdfLoaders, createFilesLoader } from '../src/index.js';
import { byIdsRequests, expectWellFormedRequests, filesWith, optionsFor, useMockCdf } from './support.js';

// The fake answers a request naming one item by two identifiers with `duplicated` (its default).
const cdf = useMockCdf({ counts: { files: 500, timeseries: 100 } });

describe('a `duplicated` answer is resent without the duplicates', () => {
  test('40 files by id and by externalId in one tick: all 80 keys answered, in two requests (it was 0 of 80)', async () => {
    const files = filesWith(cdf(), { externalId: true, instanceId: false }).slice(0, 40);
    expect(files).toHaveLength(40);
    // No retries allowed: the resend is not one.
    const loader = createFilesLoader(optionsFor(cdf(), { retry: { limit: 0 } }));

    const results = await Promise.all([
      ...files.map((file) => loader.load({ id: file.id })),
      ...files.map((file) => loader.load({ externalId: file.externalId! })),
    ]);

    expect(results).toEqual([...files, ...files]);
    const requests = byIdsRequests(cdf());
    expect(requests.map((entry) => entry.status)).toEqual([400, 200]);
    expect(requests[0]!.items).toEqual([...files.map((file) => ({ id: file.id })), ...files.map((file) => ({ externalId: file.externalId }))]);
    expect(requests[1]!.items).toEqual(files.map((file) => ({ id: file.id })));
    expect(loader.stats()).toMatchObject({ requests: 2, retries: 0, requestFailures: 0, itemsRequested: 120, itemsReturned: 40, notFound: 0 });
    expectWellFormedRequests(cdf());
    // Every identifier was cached from the resend's items.
    expect(await loader.load({ externalId: files[0]!.externalId! })).toEqual(files[0]);
    expect(byIdsRequests(cdf())).toHaveLength(2);
  });

  test('time series answer 422 with `duplicated`: the same resend', async () => {
    const series = cdf().data.timeseries.find((item) => item.externalId !== undefined && item.instanceId !== undefined)!;
    const { timeSeries } = createCdfLoaders(optionsFor(cdf()));

    const results = await Promise.all([
      timeSeries.load({ instanceId: series.instanceId! }),
      timeSeries.load({ id: series.id }),
      timeSeries.load({ externalId: series.externalId! }),
    ]);

    expect(results).toEqual([series, series, series]);
    expect(byIdsRequests(cdf()).map((entry) => [entry.status, entry.items.length])).toEqual([
      [422, 3],
      [200, 1],
    ]);
  });

  test('unknown ids in the chunk stay not found; the duplicate is still answered', async () => {
    const file = filesWith(cdf(), { externalId: true, instanceId: false })[0]!;
    const loader = createFilesLoader(optionsFor(cdf()));
    const results = await Promise.all([loader.load({ id: file.id }), loader.load({ id: 999_999_999 }), loader.load({ externalId: file.externalId! })]);
    expect(results).toEqual([file, null, file]);
    expect(byIdsRequests(cdf()).map((entry) => entry.items)).toEqual([
      [{ id: file.id }, { id: 999_999_999 }, { externalId: file.externalId }],
      [{ id: file.id }, { id: 999_999_999 }],
    ]);
  });

  test('a key CDF called duplicated that no item of the resend names rejects with that answer; the others are answered', async () => {
    const [a, b] = filesWith(cdf(), { externalId: true, instanceId: false });
    const body = { error: { code: 400, message: 'Files ids duplicated', duplicated: [{ externalId: b!.externalId }] } };
    cdf().addFault({ request: 1, status: 400, body });
    const loader = createFilesLoader(optionsFor(cdf()));

    const results = await loader.loadMany([{ id: a!.id }, { externalId: b!.externalId! }]);

    expect(results[0]).toEqual(a);
    expect(results[1]).toBeInstanceOf(CdfApiError);
    expect(results[1]).toMatchObject({ status: 400, duplicated: [{ externalId: b!.externalId }] });
    expect(byIdsRequests(cdf()).map((entry) => entry.items)).toEqual([[{ id: a!.id }, { externalId: b!.externalId }], [{ id: a!.id }]]);
  });

  test('a `duplicated` naming every key of the request is not resent: the request fails', async () => {
    const [a, b] = cdf().data.files;
    const body = { error: { code: 400, message: 'Files ids duplicated', duplicated: [{ id: a!.id }, { id: b!.id }] } };
    cdf().addFault({ request: 1, status: 400, body });
    const loader = createFilesLoader(optionsFor(cdf()));

    const results = await loader.loadMany([{ id: a!.id }, { id: b!.id }]);

    expect(results.map((result) => (result as CdfApiError).status)).toEqual([400, 400]);
    expect(byIdsRequests(cdf())).toHaveLength(1);
    expect(loader.stats().requestFailures).toBe(1);
  });

  test('a `duplicated` naming nothing the request sent is the request\'s failure', async () => {
    const [a] = cdf().data.files;
    cdf().addFault({ request: 1, status: 400, body: { error: { code: 400, message: 'Files ids duplicated', duplicated: [{ id: 7 }, 'junk'] } } });
    const loader = createFilesLoader(optionsFor(cdf()));
    expect(await loader.load({ id: a!.id }).catch((reason: unknown) => reason)).toMatchObject({ status: 400, duplicated: [{ id: 7 }, 'junk'] });
    expect(byIdsRequests(cdf())).toHaveLength(1);
  });
});
