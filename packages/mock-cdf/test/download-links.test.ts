import { describe, expect, it } from 'vitest';
import { EXTENDED_LINK_LIFETIME_MS, LINK_LIFETIME_MS } from '../src/index.js';
import { cdfError, itemsOf, postPath, start, violations } from './helpers.js';

const LINKS = 'files/downloadlink';

/** The `expires` a fake download URL carries. */
function expiresOf(url: unknown): number {
  return Number(new URL(url as string).searchParams.get('expires'));
}

describe('files/downloadlink', () => {
  it('answers each identifier with a download URL and the identifier as it was asked, in request order', async () => {
    const mock = await start();
    const file = mock.data.files.find((candidate) => candidate.externalId !== undefined && candidate.instanceId !== undefined)!;
    const asked = [{ instanceId: file.instanceId }, { id: file.id }, { externalId: file.externalId }];
    const before = Date.now();
    const reply = await postPath(mock, LINKS, { items: asked });
    expect(reply.status).toBe(200);
    const items = itemsOf(reply);
    expect(items.map(({ downloadUrl: _, ...identifier }) => identifier)).toEqual(asked);
    for (const item of items) {
      expect(item.downloadUrl).toMatch(new RegExp(`^https://files\\.mock-cdf\\.invalid/download/${file.id}\\?`));
      expect(expiresOf(item.downloadUrl)).toBeGreaterThanOrEqual(before + LINK_LIFETIME_MS);
      expect(expiresOf(item.downloadUrl)).toBeLessThanOrEqual(Date.now() + LINK_LIFETIME_MS);
    }
    expect(mock.log.at(-1)).toMatchObject({ route: LINKS, resource: null, query: '', items: asked, itemsReturned: 3 });
  });

  it('extendedExpiration=true makes links valid for an hour; a value that is not a boolean is a 400', async () => {
    const mock = await start();
    const before = Date.now();
    const reply = await postPath(mock, `${LINKS}?extendedExpiration=true`, { items: [{ id: mock.data.files[0]!.id }] });
    expect(expiresOf(itemsOf(reply)[0]!.downloadUrl)).toBeGreaterThanOrEqual(before + EXTENDED_LINK_LIFETIME_MS);
    expect(mock.log.at(-1)).toMatchObject({ route: LINKS, query: 'extendedExpiration=true' });
    const bad = await postPath(mock, `${LINKS}?extendedExpiration=yes`, { items: [{ id: mock.data.files[0]!.id }] });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual(cdfError(400, "Invalid query parameter extendedExpiration: 'yes' is not a boolean"));
  });

  it('refuses the whole request with 400 and `missing` when a file is unknown, or invisible to the token', async () => {
    const base = await start();
    const [allowed] = base.data.dataSetIds;
    const mock = await start({ tokens: { all: {}, limited: { dataSetIds: [allowed!] } } });
    const visible = mock.data.files.find((file) => file.dataSetId === allowed)!;
    const hidden = mock.data.files.find((file) => file.dataSetId !== allowed)!;
    const unknown = await postPath(mock, LINKS, { items: [{ id: visible.id }, { externalId: 'ghost' }, { id: 1 }] });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toEqual(cdfError(400, 'Files ids not found', { missing: [{ externalId: 'ghost' }, { id: 1 }] }));
    const invisible = await postPath(mock, LINKS, { items: [{ id: visible.id }, { id: hidden.id }] }, { token: 'limited' });
    expect(invisible.body).toEqual(cdfError(400, 'Files ids not found', { missing: [{ id: hidden.id }] }));
    expect((await postPath(mock, LINKS, { items: [{ id: hidden.id }] }, { token: 'all' })).status).toBe(200);
  });

  it('takes 1 to 100 unique identifiers, `items` only, and no `ignoreUnknownIds`', async () => {
    const mock = await start();
    const ids = mock.data.files.slice(0, 101).map((file) => ({ id: file.id }));
    expect((await postPath(mock, LINKS, { items: ids.slice(0, 100) })).status).toBe(200);
    const tooMany = await postPath(mock, LINKS, { items: ids });
    expect(tooMany.body).toEqual(cdfError(400, violations('items size must be between 1 and 100')));
    const none = await postPath(mock, LINKS, { items: [] });
    expect(none.body).toEqual(cdfError(400, violations('items size must be between 1 and 100')));
    const extra = await postPath(mock, LINKS, { items: ids.slice(0, 1), ignoreUnknownIds: true });
    expect(extra.body).toEqual(cdfError(400, violations('ignoreUnknownIds is not a recognized field')));
    const twice = await postPath(mock, LINKS, { items: [ids[0], ids[1], ids[0]] });
    expect(twice.body).toEqual(cdfError(400, 'Files ids duplicated', { duplicated: [ids[0]] }));
    const invalid = await postPath(mock, LINKS, { items: [{ id: 0 }] });
    expect(invalid.body).toEqual(cdfError(400, violations(`items[0].id must be an integer between 1 and ${Number.MAX_SAFE_INTEGER}`)));
  });

  it('scripted faults can select download-link requests', async () => {
    const mock = await start();
    mock.addFault({ resource: LINKS, status: 503 });
    const byIds = await postPath(mock, 'files/byids', { items: [{ id: mock.data.files[0]!.id }] });
    expect(byIds.status).toBe(200);
    const links = await postPath(mock, LINKS, { items: [{ id: mock.data.files[0]!.id }] });
    expect(links.status).toBe(503);
  });
});
