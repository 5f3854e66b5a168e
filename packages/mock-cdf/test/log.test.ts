import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_LOG_LIMIT, startMockCdf } from '../src/index.js';
import { post, start } from './helpers.js';

describe('request log and counters', () => {
  it('records each request as sent and as answered', async () => {
    const mock = await start();
    const file = mock.data.files[0]!;
    const items = [{ id: file.id }, { externalId: 'ghost' }];
    await post(mock, 'files', { items, ignoreUnknownIds: true }, { headers: { 'x-cdp-app': 'tests', 'x-cdp-sdk': 'cdf-loader:0.1.0' } });
    expect(mock.log).toHaveLength(1);
    const entry = mock.log[0]!;
    expect(entry).toMatchObject({
      seq: 1,
      method: 'POST',
      path: `/api/v1/projects/${mock.project}/files/byids`,
      project: mock.project,
      resource: 'files',
      items,
      ignoreUnknownIds: true,
      token: mock.token,
      status: 200,
      itemsReturned: 1,
      clientClosed: false,
      fault: null,
    });
    expect(entry.headers['x-cdp-app']).toBe('tests');
    expect(entry.headers['x-cdp-sdk']).toBe('cdf-loader:0.1.0');
    expect(entry.headers['content-type']).toBe('application/json');
    expect(entry.headers).not.toHaveProperty('authorization');
    expect(entry.endedAt).toBeGreaterThanOrEqual(entry.startedAt);
    expect(entry.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('records requests that fail, with what could be read', async () => {
    const mock = await start();
    await post(mock, 'files', undefined, { raw: 'not json' });
    await post(mock, 'files', { items: [{ id: 1 }] }, { token: null });
    await post(mock, 'nothing', { items: 'x', ignoreUnknownIds: false }, { project: 'p' });
    expect(mock.log.map(({ seq, status, items, ignoreUnknownIds, token, resource, project }) => ({ seq, status, items, ignoreUnknownIds, token, resource, project }))).toEqual([
      { seq: 1, status: 400, items: [], ignoreUnknownIds: null, token: mock.token, resource: 'files', project: mock.project },
      { seq: 2, status: 401, items: [{ id: 1 }], ignoreUnknownIds: null, token: null, resource: 'files', project: mock.project },
      { seq: 3, status: 404, items: [], ignoreUnknownIds: false, token: mock.token, resource: null, project: 'p' },
    ]);
  });

  it('shows a request in flight while it is served', async () => {
    const mock = await start({ faults: [{ request: 1, delayMs: 200 }] });
    const reply = post(mock, 'files', { items: [{ id: mock.data.files[0]!.id }] });
    await vi.waitFor(() => expect(mock.log).toHaveLength(1));
    await vi.waitFor(() => expect(mock.log[0]!.items).toHaveLength(1));
    expect(mock.log[0]).toMatchObject({ status: null, endedAt: null });
    expect(mock.counters.inFlight).toBe(1);
    await reply;
    expect(mock.log[0]).toMatchObject({ status: 200 });
    expect(mock.log[0]!.endedAt).not.toBeNull();
    expect(mock.counters.inFlight).toBe(0);
  });

  it('counts requests, items, throttled, concurrency, drops and aborts', async () => {
    const mock = await start({ rateLimit: { requests: 3, intervalMs: 60_000 }, faults: [{ request: 2, drop: true }] });
    const ids = mock.data.files.slice(0, 4).map((file) => ({ id: file.id }));
    await post(mock, 'files', { items: ids });
    await expect(post(mock, 'files', { items: ids.slice(0, 2) })).rejects.toThrow();
    await post(mock, 'files', { items: ids.slice(0, 1) });
    await post(mock, 'files', { items: ids.slice(0, 3) });
    await vi.waitFor(() => expect(mock.counters.inFlight).toBe(0));
    expect(mock.counters).toEqual({ requests: 4, items: 10, throttled: 1, maxConcurrent: 1, inFlight: 0, dropped: 1, clientAborts: 0 });
  });

  it('reset clears log, counters, faults and numbering, and keeps the data', async () => {
    const mock = await start({ concurrencyLimit: 5 });
    const data = mock.data;
    const log = mock.log;
    mock.addFault({ request: 2, status: 500 });
    await post(mock, 'files', { items: [{ id: mock.data.files[0]!.id }] });
    mock.reset();
    expect(mock.log).toBe(log);
    expect(mock.log).toEqual([]);
    expect(mock.counters).toEqual({ requests: 0, items: 0, throttled: 0, maxConcurrent: 0, inFlight: 0, dropped: 0, clientAborts: 0 });
    await post(mock, 'files', { items: [{ id: mock.data.files[0]!.id }] });
    const second = await post(mock, 'files', { items: [{ id: mock.data.files[0]!.id }] });
    expect(second.status).toBe(200);
    expect(mock.log.map((entry) => entry.seq)).toEqual([1, 2]);
    expect(mock.data).toBe(data);
  });

  it('keeps the last `logLimit` entries in arrival order, in the same array, and counts every request', async () => {
    const mock = await start({ logLimit: 5 });
    const log = mock.log;
    const ids = mock.data.files.slice(0, 8).map((file) => ({ id: file.id }));
    for (const id of ids) await post(mock, 'files', { items: [id] });
    expect(mock.log).toBe(log);
    expect(mock.log.map((entry) => entry.seq)).toEqual([4, 5, 6, 7, 8]);
    expect(mock.log.map((entry) => entry.items)).toEqual(ids.slice(3).map((id) => [id]));
    expect(mock.counters).toEqual({ requests: 8, items: 8, throttled: 0, maxConcurrent: 1, inFlight: 0, dropped: 0, clientAborts: 0 });
    mock.reset();
    await post(mock, 'files', { items: [ids[0]] });
    expect(mock.log.map((entry) => entry.seq)).toEqual([1]);
  });

  it('keeps no entries with `logLimit` 0, every entry with Infinity, and 10,000 by default', async () => {
    const none = await start({ logLimit: 0 });
    await post(none, 'files', { items: [{ id: 1 }] });
    expect(none.log).toEqual([]);
    expect(none.counters.requests).toBe(1);
    const all = await start({ logLimit: Infinity });
    await post(all, 'files', { items: [{ id: 1 }] });
    expect(all.log).toHaveLength(1);
    expect(DEFAULT_LOG_LIMIT).toBe(10_000);
  });

  it.each([-1, 2.5, NaN])('rejects `logLimit` %s', async (logLimit) => {
    await expect(startMockCdf({ logLimit })).rejects.toThrow(`logLimit must be a non-negative integer or Infinity, got ${logLimit}`);
  });

  it('closes with requests still waiting, and resolves', async () => {
    const mock = await start({ latency: { fixedMs: 60_000 } });
    const reply = post(mock, 'files', { items: [{ id: 1 }] });
    await vi.waitFor(() => expect(mock.counters.inFlight).toBe(1));
    const refused = expect(reply).rejects.toThrow();
    await mock.close();
    // Every answer's close was handled by the time close() resolves.
    expect(mock.counters.inFlight).toBe(0);
    expect(mock.log[0]!.endedAt).not.toBeNull();
    await refused;
    expect(mock.counters.clientAborts).toBe(0);
  });
});
