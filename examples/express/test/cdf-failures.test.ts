import { describe, expect, it } from 'vitest';
import { at, post, request, useApp, useMockCdf } from './support.js';

const cdf = useMockCdf({ counts: { files: 50 } });
const app = useApp(cdf);

describe('when CDF fails', () => {
  it("answers 502 with CDF's request id", async () => {
    cdf().addFault({ request: 1, status: 500 });
    const file = at(cdf().data.files, 0);

    const reply = await request(`${app().url}/files/${file.id}`);

    const requestId = cdf().log[0]?.requestId;
    expect(reply).toEqual({
      status: 502,
      body: { error: { status: 502, message: `CDF files/byids failed with 500: Internal Server Error (request id ${requestId})`, requestId } },
    });
  });

  it('fails only the lookup items of the failed request, and does not cache the failure', async () => {
    cdf().addFault({ request: 1, status: 500 });
    const file = at(cdf().data.files, 0);
    const lookup = () => post(`${app().url}/files/lookup`, { items: [{ id: file.id }, { id: 'abc' }] });

    const failed = await lookup();
    const retried = await lookup();

    const requestId = cdf().log[0]?.requestId;
    expect((failed.body as { items: unknown[] }).items[0]).toEqual({
      error: { status: 502, message: `CDF files/byids failed with 500: Internal Server Error (request id ${requestId})`, requestId },
    });
    expect((retried.body as { items: unknown[] }).items[0]).toEqual(file);
    expect(cdf().log.map((entry) => entry.status)).toEqual([500, 200]);
  });

  it('answers 502 without a request id when no answer came at all', async () => {
    cdf().addFault({ request: 1, drop: true });
    const file = at(cdf().data.files, 0);

    const reply = await request(`${app().url}/files/${file.id}`);

    expect(reply.status).toBe(502);
    expect(reply.body).toEqual({ error: { status: 502, message: expect.stringMatching(/^CDF files\/byids failed with no response: /) } });
  });
});
