import { describe, expect, it } from 'vitest';
import { at, loaderMessage, request, useApp, useMockCdf } from './support.js';

const cdf = useMockCdf({ counts: { files: 50 } });
const app = useApp(cdf);

describe('GET /files/:id and GET /files?externalId=', () => {
  it('answers 200 with the file exactly as CDF has it', async () => {
    const file = at(cdf().data.files, 0);

    expect(await request(`${app().url}/files/${file.id}`)).toEqual({ status: 200, body: file });
  });

  it('finds a file by externalId', async () => {
    const file = cdf().data.files.find((item) => item.externalId !== undefined);
    if (file?.externalId === undefined) throw new Error('the fake has no externalIds');

    const reply = await request(`${app().url}/files?externalId=${encodeURIComponent(file.externalId)}`);

    expect(reply).toEqual({ status: 200, body: file });
    expect(cdf().log.map((entry) => entry.items)).toEqual([[{ externalId: file.externalId }]]);
  });

  it('answers 404 for a file CDF does not have', async () => {
    expect(await request(`${app().url}/files/1`)).toEqual({ status: 404, body: { error: { status: 404, message: 'No file found for {"id":1}.' } } });
    expect(await request(`${app().url}/files?externalId=nope`)).toEqual({
      status: 404,
      body: { error: { status: 404, message: 'No file found for {"externalId":"nope"}.' } },
    });
  });

  it("answers 400 with cdf-loader's message for an identifier CDF would refuse, and sends nothing", async () => {
    for (const [path, identifier] of [
      ['/files/abc', { id: 'abc' }],
      ['/files/0', { id: 0 }],
      ['/files/99999999999999999999', { id: '99999999999999999999' }],
      ['/files', { externalId: undefined }],
      [`/files?externalId=${'x'.repeat(256)}`, { externalId: 'x'.repeat(256) }],
    ] as const) {
      expect(await request(`${app().url}${path}`)).toEqual({ status: 400, body: { error: { status: 400, message: await loaderMessage(cdf(), identifier) } } });
    }
    expect(cdf().log).toEqual([]);
  });
});
