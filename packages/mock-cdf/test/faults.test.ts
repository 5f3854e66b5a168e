import { describe, expect, it, vi } from 'vitest';
import { startMockCdf, type Fault, type MockCdf } from '../src/index.js';
import { byIdsUrl, cdfError, post, start, type Reply } from './helpers.js';

function ask(mock: MockCdf, resource: 'files' | 'assets' = 'files'): Promise<Reply> {
  return post(mock, resource, { items: [{ id: mock.data[resource][0]!.id }] });
}

async function statuses(mock: MockCdf, count: number): Promise<number[]> {
  const result: number[] = [];
  for (let i = 0; i < count; i++) result.push((await ask(mock)).status);
  return result;
}

describe('scripted faults', () => {
  it('answers request N with a status and a CDF-shaped body, once', async () => {
    const mock = await start({ faults: [{ request: 2, status: 503 }] });
    const replies = [await ask(mock), await ask(mock), await ask(mock)];
    expect(replies.map((reply) => reply.status)).toEqual([200, 503, 200]);
    expect(replies[1]!.body).toEqual(cdfError(503, 'Service Unavailable'));
    expect(replies[1]!.headers.get('x-request-id')).toBeTruthy();
    expect(mock.log.map((entry) => entry.fault)).toEqual([null, 'status 503', null]);
  });

  it('hits every listed request number', async () => {
    const mock = await start();
    mock.addFault({ request: [1, 3, 4], status: 500 });
    expect(await statuses(mock, 5)).toEqual([500, 200, 500, 500, 200]);
  });

  it('fires `times` times, then is spent', async () => {
    const mock = await start();
    mock.addFault({ status: 502, times: 2 });
    expect(await statuses(mock, 4)).toEqual([502, 502, 200, 200]);
  });

  it('without selectors or times hits every request until cleared', async () => {
    const mock = await start();
    mock.addFault({ status: 504 });
    expect(await statuses(mock, 3)).toEqual([504, 504, 504]);
    mock.clearFaults();
    expect(await statuses(mock, 1)).toEqual([200]);
  });

  it('hits only its resource', async () => {
    const mock = await start();
    mock.addFault({ resource: 'assets', status: 503 });
    expect((await ask(mock, 'files')).status).toBe(200);
    expect((await ask(mock, 'assets')).status).toBe(503);
  });

  it('applies the first matching fault only', async () => {
    const mock = await start();
    mock.addFault({ request: 1, status: 502 });
    mock.addFault({ status: 503, times: 1 });
    expect(await statuses(mock, 3)).toEqual([502, 503, 200]);
  });

  it('sends a JSON body instead', async () => {
    const mock = await start();
    const body = { error: { code: 500, message: 'Internal server error', extra: true } };
    mock.addFault({ request: 1, status: 500, body });
    const reply = await ask(mock);
    expect(reply.body).toEqual(body);
    expect(reply.headers.get('content-type')).toBe('application/json');
  });

  it('sends a non-JSON body as text/html, default status 500', async () => {
    const mock = await start();
    mock.addFault({ request: 1, rawBody: '<html><body>Bad gateway</body></html>' });
    mock.addFault({ request: 2, status: 502, rawBody: 'upstream connect error' });
    const [first, second] = [await ask(mock), await ask(mock)];
    expect([first.status, first.text, first.headers.get('content-type')]).toEqual([500, '<html><body>Bad gateway</body></html>', 'text/html']);
    expect([second.status, second.text]).toEqual([502, 'upstream connect error']);
  });

  it('adds headers to a fault answer or to a normal answer', async () => {
    const mock = await start();
    mock.addFault({ request: 1, status: 429, headers: { 'retry-after': '2' } });
    mock.addFault({ request: 2, status: 503, headers: { 'cdf-is-auto-retryable': 'true' } });
    mock.addFault({ request: 3, headers: { 'x-extra': 'yes' } });
    const [first, second, third] = [await ask(mock), await ask(mock), await ask(mock)];
    expect([first.status, first.headers.get('retry-after')]).toEqual([429, '2']);
    expect(first.body).toEqual(cdfError(429, 'Too Many Requests'));
    expect([second.status, second.headers.get('cdf-is-auto-retryable')]).toEqual([503, 'true']);
    expect([third.status, third.headers.get('x-extra'), third.body]).toEqual([200, 'yes', { items: [mock.data.files[0]] }]);
  });

  it('drops the connection without an answer', async () => {
    const mock = await start({ faults: [{ request: 1, drop: true }] });
    await expect(ask(mock)).rejects.toThrow(TypeError);
    await vi.waitFor(() => expect(mock.log[0]!.endedAt).not.toBeNull());
    expect(mock.log[0]).toMatchObject({ status: null, fault: 'drop', clientClosed: false });
    expect(mock.counters).toMatchObject({ dropped: 1, clientAborts: 0, inFlight: 0 });
    expect((await ask(mock)).status).toBe(200);
  });

  it('delays the answer by delayMs, otherwise answering normally', async () => {
    const mock = await start({ faults: [{ request: 1, delayMs: 150 }] });
    const reply = await ask(mock);
    expect(reply.body).toEqual({ items: [mock.data.files[0]] });
    const entry = mock.log[0]!;
    expect(entry.fault).toBe('delay 150ms');
    expect(entry.endedAt! - entry.startedAt).toBeGreaterThanOrEqual(149);
    expect(entry.endedAt! - entry.startedAt).toBeLessThan(5000);
  });

  it('records a client that gives up during a delay, and cancels the wait', async () => {
    const mock = await start({ faults: [{ request: 1, delayMs: 60_000, status: 503 }] });
    const response = fetch(byIdsUrl(mock, 'files'), {
      method: 'POST',
      headers: { authorization: `Bearer ${mock.token}` },
      body: JSON.stringify({ items: [{ id: 1 }] }),
      signal: AbortSignal.timeout(100),
    });
    await expect(response).rejects.toThrow(/timeout|abort/i);
    await vi.waitFor(() => expect(mock.log[0]!.clientClosed).toBe(true));
    expect(mock.log[0]!.status).toBeNull();
    expect(mock.counters).toMatchObject({ clientAborts: 1, inFlight: 0, dropped: 0 });
  });

  it('sends headers first, then the body in pieces over slowBodyMs', async () => {
    const mock = await start({ faults: [{ request: 1, slowBodyMs: 400 }] });
    const startedAt = performance.now();
    const response = await fetch(byIdsUrl(mock, 'files'), {
      method: 'POST',
      headers: { authorization: `Bearer ${mock.token}` },
      body: JSON.stringify({ items: mock.data.files.slice(0, 20).map((file) => ({ id: file.id })) }),
    });
    const headersAt = performance.now();
    expect(response.status).toBe(200);
    const chunks: Uint8Array[] = [];
    for await (const chunk of response.body!) chunks.push(chunk as Uint8Array);
    const endedAt = performance.now();
    expect(chunks.length).toBeGreaterThanOrEqual(2);
    expect(JSON.parse(Buffer.concat(chunks).toString('utf8'))).toEqual({ items: mock.data.files.slice(0, 20) });
    expect(endedAt - startedAt).toBeGreaterThanOrEqual(395);
    expect(endedAt - headersAt).toBeGreaterThan(250);
    expect(mock.log[0]).toMatchObject({ status: 200, itemsReturned: 20, fault: 'slow body 400ms' });
  });

  it('hits a seeded share of requests: the same ones for the same seed', async () => {
    const run = async (seed: number): Promise<number[]> => {
      const mock = await start({ seed, counts: { files: 5 }, faults: [{ share: 0.3, status: 503 }] });
      const result = await statuses(mock, 40);
      return result.flatMap((status, index) => (status === 503 ? [index + 1] : []));
    };
    const first = await run(7);
    expect(await run(7)).toEqual(first);
    expect(first.length).toBeGreaterThan(3);
    expect(first.length).toBeLessThan(25);
    expect(await run(8)).not.toEqual(first);
  });

  it('a share fault added after reset() picks the same requests as on a fresh fake', async () => {
    const mock = await start({ seed: 7, counts: { files: 5 } });
    const picks = async (): Promise<number[]> => {
      mock.reset();
      mock.addFault({ share: 0.3, status: 503 });
      const result = await statuses(mock, 30);
      return result.flatMap((status, index) => (status === 503 ? [index + 1] : []));
    };
    const first = await picks();
    expect(await picks()).toEqual(first);
  });

  it('rejects a malformed fault', async () => {
    const mock = await start();
    expect(() => mock.addFault({ share: 1.5 })).toThrow('fault.share must be between 0 and 1, got 1.5');
    expect(() => mock.addFault({ request: 0 })).toThrow('fault.request must be a positive integer or a list of them, got 0');
    expect(() => mock.addFault({ status: 42 })).toThrow('fault.status must be an HTTP status code, got 42');
  });

  it('rejects a fault with a field no fault has, naming it, and keeps none of it', async () => {
    const mock = await start();
    const notAField = (field: string): string =>
      `fault.${field} is not a fault field; a fault has request, share, resource, times, status, body, rawBody, headers, drop, delayMs, slowBodyMs`;
    const misspelt = { request: 1, stauts: 503 } as Fault;
    expect(() => mock.addFault(misspelt)).toThrow(TypeError);
    expect(() => mock.addFault(misspelt)).toThrow(notAField('stauts'));
    expect((await ask(mock)).status).toBe(200);
    const starting = startMockCdf({ faults: [{ dealyMs: 100 } as Fault] });
    await expect(starting).rejects.toThrow(TypeError);
    await expect(starting).rejects.toThrow(notAField('dealyMs'));
  });

  it('does not apply faults to requests that fail auth', async () => {
    const mock = await start({ faults: [{ status: 503, times: 1 }] });
    expect((await post(mock, 'files', { items: [{ id: 1 }] }, { token: 'bad' })).status).toBe(401);
    expect((await ask(mock)).status).toBe(503);
  });
});
