import { describe, expect, it } from 'vitest';
import { at, loaderMessage, post, request, useApp, useMockCdf } from './support.js';

const cdf = useMockCdf({ counts: { files: 50 } });
const app = useApp(cdf);

describe('POST /files/lookup', () => {
  it('answers every item in order: the file, null, or its own error; all found ones in one request', async () => {
    const [a, b] = [at(cdf().data.files, 0), at(cdf().data.files, 1)];
    const items = [{ id: a.id }, { id: 1 }, { id: 'abc' }, { id: b.id }, { id: a.id }, { externalId: 'no-such-file' }];

    const reply = await post(`${app().url}/files/lookup`, { items });

    expect(reply).toEqual({
      status: 200,
      body: { items: [a, null, { error: { status: 400, message: await loaderMessage(cdf(), { id: 'abc' }) } }, b, a, null] },
    });
    expect(cdf().log.map((entry) => entry.items)).toEqual([[{ id: a.id }, { id: 1 }, { id: b.id }, { externalId: 'no-such-file' }]]);
  });

  it('answers an empty lookup without asking CDF', async () => {
    expect(await post(`${app().url}/files/lookup`, { items: [] })).toEqual({ status: 200, body: { items: [] } });
    expect(cdf().log).toEqual([]);
  });

  it('answers 400 for a body that is not a lookup', async () => {
    const usage = 'The body must be JSON like {"items": [{"id": 1}, {"externalId": "x"}]}.';
    expect(await post(`${app().url}/files/lookup`, { ids: [1] })).toEqual({ status: 400, body: { error: { status: 400, message: usage } } });
    expect(await post(`${app().url}/files/lookup`, { items: Array.from({ length: 1001 }, (_, i) => ({ id: i + 1 })) })).toEqual({
      status: 400,
      body: { error: { status: 400, message: 'At most 1000 items per lookup, got 1001.' } },
    });
    const notJson = await request(`${app().url}/files/lookup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"items": [' });
    expect(notJson.status).toBe(400);
    expect(cdf().log).toEqual([]);
  });
});
