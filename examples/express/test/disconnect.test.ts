import { describe, expect, it, vi } from 'vitest';
import { at, request, useApp, useMockCdf } from './support.js';

const cdf = useMockCdf({ counts: { files: 50 } });
const app = useApp(cdf);

/** Sends a request and closes its connection once the fake CDF holds the byids request it caused. */
async function disconnectWhileCdfAnswers(url: string, init: RequestInit = {}): Promise<void> {
  const client = new AbortController();
  const reply = fetch(url, { ...init, signal: client.signal });
  await vi.waitFor(() => expect(cdf().counters.inFlight).toBe(1), { timeout: 5_000 });
  client.abort();
  await expect(reply).rejects.toThrow('This operation was aborted');
}

/** What the fake saw of each byids request. */
const seen = () => cdf().log.map(({ items, status, clientClosed }) => ({ items, status, clientClosed }));

describe('a client that disconnects while CDF is slow', () => {
  it('GET /files/:id: its lookup is aborted, and so is the byids request nobody else waits for', async () => {
    cdf().addFault({ request: 1, delayMs: 60_000 });
    const file = at(cdf().data.files, 0);

    await disconnectWhileCdfAnswers(`${app().url}/files/${file.id}`);

    await vi.waitFor(() => expect(cdf().counters.clientAborts).toBe(1), { timeout: 5_000 });
    expect(cdf().counters.inFlight).toBe(0);
    // Nothing hangs on the aborted key: the next request for it asks CDF again and is answered.
    expect(await request(`${app().url}/files/${file.id}`)).toEqual({ status: 200, body: file });
    expect(seen()).toEqual([
      { items: [{ id: file.id }], status: null, clientClosed: true },
      { items: [{ id: file.id }], status: 200, clientClosed: false },
    ]);
  });

  it('POST /files/lookup: every lookup of the request is aborted', async () => {
    cdf().addFault({ request: 1, delayMs: 60_000 });
    const [a, b] = [at(cdf().data.files, 0), at(cdf().data.files, 1)];
    const body = JSON.stringify({ items: [{ id: a.id }, { id: 'abc' }, { id: b.id }] });

    await disconnectWhileCdfAnswers(`${app().url}/files/lookup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

    await vi.waitFor(() => expect(cdf().counters.clientAborts).toBe(1), { timeout: 5_000 });
    expect(cdf().counters.inFlight).toBe(0);
    expect(seen()).toEqual([{ items: [{ id: a.id }, { id: b.id }], status: null, clientClosed: true }]);
  });
});
