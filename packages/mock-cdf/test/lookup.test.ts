import { describe, expect, it } from 'vitest';
import { RESOURCE_NAMES, type ResourceName } from '../src/index.js';
import { cdfError, itemsOf, post, start, violations } from './helpers.js';

describe('byids lookups', () => {
  it.each(RESOURCE_NAMES)('%s: answers known ids with the items, in request order', async (resource) => {
    const mock = await start();
    const wanted = [...mock.data[resource]].slice(0, 5).reverse();
    const reply = await post(mock, resource, { items: wanted.map((item) => ({ id: item.id })) });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ items: wanted });
  });

  it.each(RESOURCE_NAMES)('%s: finds items by externalId', async (resource) => {
    const mock = await start();
    const item = (mock.data[resource] as { externalId?: string }[]).find((candidate) => candidate.externalId !== undefined)!;
    const reply = await post(mock, resource, { items: [{ externalId: item.externalId }] });
    expect(reply.body).toEqual({ items: [item] });
  });

  it.each(['files', 'timeseries'] as const)('%s: finds items by instanceId', async (resource) => {
    const mock = await start();
    const item = mock.data[resource].find((candidate) => candidate.instanceId !== undefined)!;
    const reply = await post(mock, resource, { items: [{ instanceId: item.instanceId }] });
    expect(reply.body).toEqual({ items: [item] });
  });

  it.each(['assets', 'events', 'sequences'] as const)('%s: rejects instanceId, which CDF does not accept there', async (resource) => {
    const mock = await start();
    const reply = await post(mock, resource, { items: [{ instanceId: { space: 'sp', externalId: 'x' } }] });
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual(
      cdfError(400, violations('items[0].instanceId is not a recognized field', 'items[0] must have exactly one of id, externalId')),
    );
  });

  it("with `aliasDuplicates: 'answered'`, answers once per requested identifier when two identifiers name the same item", async () => {
    const mock = await start({ aliasDuplicates: 'answered' });
    const file = mock.data.files.find((candidate) => candidate.externalId !== undefined && candidate.instanceId !== undefined)!;
    const items = [{ instanceId: file.instanceId }, { id: file.id }, { externalId: file.externalId }];
    const reply = await post(mock, 'files', { items });
    expect(reply.body).toEqual({ items: [file, file, file] });
  });

  it('answers two identifiers of the same item with `duplicated` by default', async () => {
    const mock = await start();
    const file = mock.data.files.find((candidate) => candidate.externalId !== undefined && candidate.instanceId !== undefined)!;
    const items = [{ instanceId: file.instanceId }, { id: file.id }, { externalId: file.externalId }];
    const reply = await post(mock, 'files', { items });
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual(cdfError(400, 'Files ids duplicated', { duplicated: [{ id: file.id }, { externalId: file.externalId }] }));
  });

  it('does not confuse kinds: an externalId equal to an id in text is a different identifier', async () => {
    const file = { id: 42, externalId: '7', name: 'a', uploaded: true, createdTime: 1, lastUpdatedTime: 1 };
    const other = { id: 7, name: 'b', uploaded: true, createdTime: 1, lastUpdatedTime: 1 };
    const mock = await start({ items: { files: [file, other] } });
    expect(itemsOf(await post(mock, 'files', { items: [{ externalId: '7' }, { id: 7 }, { externalId: '42' }], ignoreUnknownIds: true }))).toEqual([file, other]);
  });

  it('fails the whole request on unknown ids, listing exactly those as sent', async () => {
    const mock = await start();
    const known = mock.data.files[0]!;
    const unknown = [{ id: 1 }, { externalId: 'no-such-file' }, { instanceId: { space: 'cdf_files', externalId: 'nope' } }];
    for (const ignoreUnknownIds of [false, undefined]) {
      const reply = await post(mock, 'files', { items: [unknown[0], { id: known.id }, ...unknown.slice(1)], ignoreUnknownIds });
      expect(reply.status).toBe(400);
      expect(reply.body).toEqual(cdfError(400, 'Files ids not found', { missing: unknown }));
    }
  });

  it.each([
    ['assets', 'Assets'],
    ['events', 'Events'],
    ['timeseries', 'Time series'],
    ['sequences', 'Sequences'],
  ] as const)('%s: names the resource in the not-found message', async (resource, title) => {
    const mock = await start();
    const reply = await post(mock, resource, { items: [{ externalId: 'ghost' }] });
    expect(reply.body).toEqual(cdfError(400, `${title} ids not found`, { missing: [{ externalId: 'ghost' }] }));
  });

  it('leaves unknown ids out with ignoreUnknownIds', async () => {
    const mock = await start();
    const [a, b] = mock.data.files;
    const reply = await post(mock, 'files', { items: [{ id: 1 }, { id: a!.id }, { externalId: 'ghost' }, { id: b!.id }], ignoreUnknownIds: true });
    expect(reply.body).toEqual({ items: [a, b] });
    expect((await post(mock, 'files', { items: [{ id: 1 }], ignoreUnknownIds: true })).body).toEqual({ items: [] });
  });

  it.each([
    ['files', 400],
    ['assets', 400],
    ['events', 400],
    ['sequences', 400],
    ['timeseries', 422],
  ] as const)('%s: answers duplicates with %i and lists each duplicate once', async (resource: ResourceName, status) => {
    const mock = await start();
    const [a, b] = mock.data[resource];
    const items = [{ id: a!.id }, { id: b!.id }, { id: a!.id }, { externalId: 'x' }, { externalId: 'x' }, { id: a!.id }];
    const reply = await post(mock, resource, { items, ignoreUnknownIds: true });
    expect(reply.status).toBe(status);
    const title = { files: 'Files', assets: 'Assets', events: 'Events', sequences: 'Sequences', timeseries: 'Time series' }[resource];
    expect(reply.body).toEqual(cdfError(status, `${title} ids duplicated`, { duplicated: [{ id: a!.id }, { externalId: 'x' }] }));
  });

  it('treats the same instanceId twice as a duplicate', async () => {
    const mock = await start();
    const instanceId = { space: 'sp', externalId: 'n.1' };
    const reply = await post(mock, 'files', { items: [{ instanceId }, { instanceId: { ...instanceId } }] });
    expect(reply.body).toEqual(cdfError(400, 'Files ids duplicated', { duplicated: [{ instanceId }] }));
  });

  it.each([
    ['files', 400],
    ['timeseries', 422],
  ] as const)('%s: one item named by two identifiers is a duplicate too (%i, the later names listed)', async (resource, status) => {
    const mock = await start();
    const item = mock.data[resource].find((candidate) => candidate.externalId !== undefined && candidate.instanceId !== undefined)!;
    const [other] = mock.data[resource].filter((candidate) => candidate.id !== item.id);
    const items = [{ id: item.id }, { id: other!.id }, { externalId: item.externalId }, { instanceId: item.instanceId }, { id: 999_999_999 }];
    const reply = await post(mock, resource, { items, ignoreUnknownIds: true });
    expect(reply.status).toBe(status);
    const title = resource === 'files' ? 'Files' : 'Time series';
    expect(reply.body).toEqual(
      cdfError(status, `${title} ids duplicated`, { duplicated: [{ externalId: item.externalId }, { instanceId: item.instanceId }] }),
    );
    // Without the duplicates, the same request is answered.
    const resent = await post(mock, resource, { items: [items[0], items[1], items[4]], ignoreUnknownIds: true });
    expect(resent.body).toEqual({ items: [item, other] });
  });

  it('refuses an `aliasDuplicates` it does not know', async () => {
    const mock = await start();
    expect(() => mock.configure({ aliasDuplicates: 'ignored' as 'answered' })).toThrow(RangeError);
  });

  it('an identifier the token cannot see is missing, not a duplicate', async () => {
    const mock = await start();
    const item = mock.data.files.find((candidate) => candidate.externalId !== undefined)!;
    const reply = await post(mock, 'files', { items: [{ id: item.id }, { externalId: `${item.externalId!}-other` }], ignoreUnknownIds: true });
    expect(reply.body).toEqual({ items: [item] });
  });

  it('serves items given in options as they are', async () => {
    const custom = { id: 5, externalId: 'mine', name: 'custom.pdf', uploaded: false, createdTime: 0, lastUpdatedTime: 0, extra: 'kept' };
    const mock = await start({ items: { files: [custom] } });
    expect(mock.data.files).toEqual([custom]);
    expect((await post(mock, 'files', { items: [{ externalId: 'mine' }] })).body).toEqual({ items: [custom] });
  });

  it('accepts a gzip-encoded body', async () => {
    const mock = await start();
    const file = mock.data.files[3]!;
    const reply = await post(mock, 'files', { items: [{ id: file.id }] }, { gzip: true });
    expect(reply.body).toEqual({ items: [file] });
    expect(mock.log[0]!.items).toEqual([{ id: file.id }]);
  });

  it('answers with JSON and a unique x-request-id, errors included', async () => {
    const mock = await start();
    const replies = [
      await post(mock, 'files', { items: [{ id: mock.data.files[0]!.id }] }),
      await post(mock, 'files', { items: [] }),
      await post(mock, 'files', { items: [{ id: 1 }] }),
      await post(mock, 'nothing', { items: [{ id: 1 }] }),
      await post(mock, 'files', { items: [{ id: 1 }] }, { token: null }),
    ];
    expect(replies.map((reply) => reply.status)).toEqual([200, 400, 400, 404, 401]);
    for (const reply of replies) expect(reply.headers.get('content-type')).toBe('application/json');
    const ids = replies.map((reply) => reply.headers.get('x-request-id'));
    expect(new Set(ids).size).toBe(5);
    expect(ids.every((id) => typeof id === 'string' && id.length > 0)).toBe(true);
    expect(mock.log.map((entry) => entry.requestId)).toEqual(ids);
  });
});

describe('shuffle', () => {
  it('returns the same items in a seeded order, the same for the same seed and request number', async () => {
    const ask = async (seed: number): Promise<number[]> => {
      const mock = await start({ seed, shuffle: true, counts: { files: 50 } });
      const reply = await post(mock, 'files', { items: mock.data.files.map((file) => ({ id: file.id })) });
      const ids = itemsOf(reply).map((item) => item.id as number);
      expect([...ids].sort()).toEqual(mock.data.files.map((file) => file.id).sort());
      return ids;
    };
    const first = await ask(3);
    const again = await ask(3);
    expect(again).toEqual(first);
    const mock = await start({ seed: 3, counts: { files: 50 } });
    expect(first).not.toEqual(mock.data.files.map((file) => file.id));
  });

  it('can be switched on and off at run time', async () => {
    const mock = await start({ counts: { files: 30 } });
    const items = mock.data.files.map((file) => ({ id: file.id }));
    mock.configure({ shuffle: true });
    expect(itemsOf(await post(mock, 'files', { items })).map((item) => item.id)).not.toEqual(items.map((item) => item.id));
    mock.configure({ shuffle: false });
    expect(itemsOf(await post(mock, 'files', { items })).map((item) => item.id)).toEqual(items.map((item) => item.id));
  });
});
