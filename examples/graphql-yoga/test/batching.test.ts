import { describe, expect, it } from 'vitest';
import { assetFilesOf } from '../src/asset-files.js';
import { at, byIdsRequests, useGraphQLServer, useMockCdf } from './support.js';

const cdf = useMockCdf({ counts: { files: 300, assets: 60 } });
const query = useGraphQLServer(cdf, (fake) => ({ assetFiles: assetFilesOf(fake.data.files) }));

/** The distinct values, in first-seen order: the order DataLoader hands keys to cdf-loader. */
const distinct = <T>(values: T[]): T[] => [...new Set(values)];
const byId = (id: number) => ({ id });

describe('one byids request per resource for each level of a query', () => {
  it('files with their assets: one files/byids, then one assets/byids for every file', async () => {
    const linked = cdf().data.files.filter((file) => (file.assetIds ?? []).length > 0);
    const [a, b, c] = [at(linked, 0), at(linked, 1), at(linked, 2)];
    const ids = [a.id, b.id, c.id, a.id, 1].map(String); // a twice, and an id CDF does not have

    const reply = await query('query($ids: [ID!]!) { files(ids: $ids) { id name assets { id name } } }', { variables: { ids } });

    const assetName = (id: number) => cdf().data.assets.find((asset) => asset.id === id)?.name;
    const expected = (file: typeof a) => ({
      id: String(file.id),
      name: file.name,
      assets: (file.assetIds ?? []).map((id) => ({ id: String(id), name: assetName(id) })),
    });
    expect(reply).toEqual({ status: 200, body: { data: { files: [expected(a), expected(b), expected(c), expected(a), null] } } });
    const assetIds = distinct([a, b, c].flatMap((file) => file.assetIds ?? []));
    expect(byIdsRequests(cdf())).toEqual([
      { resource: 'files', items: [a.id, b.id, c.id, 1].map(byId), token: cdf().token },
      { resource: 'assets', items: assetIds.map(byId), token: cdf().token },
    ]);
  });

  it('assets → files → assets: a level waits for the one above, so one request per level, none for assets already loaded', async () => {
    const index = assetFilesOf(cdf().data.files);
    const withFiles = cdf().data.assets.filter((asset) => index(asset.id).length > 0);
    const roots = [at(withFiles, 0).id, at(withFiles, 1).id];
    const fileIds = distinct(roots.flatMap(index));
    const files = fileIds.map((id) => cdf().data.files.find((file) => file.id === id));
    // The third level asks only for assets the first level did not load: those are memoized in the request.
    const others = distinct(files.flatMap((file) => file?.assetIds ?? [])).filter((id) => !roots.includes(id));
    expect(others.length).toBeGreaterThan(0);

    const reply = await query('query($ids: [ID!]!) { assets(ids: $ids) { id files { id assets { id } } } }', {
      variables: { ids: roots.map(String) },
    });

    expect(reply.status).toBe(200);
    expect(reply.body.errors).toBeUndefined();
    expect(byIdsRequests(cdf())).toEqual([
      { resource: 'assets', items: roots.map(byId), token: cdf().token },
      { resource: 'files', items: fileIds.map(byId), token: cdf().token },
      { resource: 'assets', items: others.map(byId), token: cdf().token },
    ]);
  });

  it('later queries of the same caller are answered from the shared cache', async () => {
    const file = at(cdf().data.files, 0);
    const ask = () => query(`{ file(id: "${file.id}") { name } }`);

    const replies = [await ask(), await ask()];

    expect(replies.map((reply) => reply.body)).toEqual([{ data: { file: { name: file.name } } }, { data: { file: { name: file.name } } }]);
    expect(byIdsRequests(cdf())).toEqual([{ resource: 'files', items: [byId(file.id)], token: cdf().token }]);
  });
});
