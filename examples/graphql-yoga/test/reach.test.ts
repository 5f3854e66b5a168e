import { InvalidIdentifierError, parseInstanceIdentifier } from 'cdf-loader';
import { describe, expect, it } from 'vitest';
import { at, useGraphQLServer, useMockCdf } from './support.js';

const cdf = useMockCdf({ counts: { files: 400, assets: 20 } });
const query = useGraphQLServer(cdf);
const view = { type: 'view', space: 'cdf_cdm', externalId: 'CogniteFile', version: 'v1' };

/** The requests the fake received, by route: what each sent. */
function sent(route: string): unknown[][] {
  return cdf()
    .log.filter((entry) => entry.route === route)
    .map((entry) => entry.items);
}

describe('download URLs and data-modeling nodes', () => {
  it('a page of files: one files/byids, one files/downloadlink for the URLs, one models/instances/byids for the nodes', async () => {
    const withNode = cdf().data.files.filter((file) => file.instanceId !== undefined);
    const withoutNode = cdf().data.files.filter((file) => file.instanceId === undefined);
    const [a, b, c] = [at(withNode, 0), at(withNode, 1), at(withoutNode, 0)];
    const ids = [a.id, b.id, c.id, 1].map(String);

    const reply = await query('query($ids: [ID!]!) { files(ids: $ids) { id downloadUrl node { space externalId name mimeType } } }', { variables: { ids } });

    expect(reply.body.errors).toBeUndefined();
    const files = reply.body.data!.files as { id: string; downloadUrl: string; node: unknown }[];
    expect(files[3]).toBeNull();
    expect(files.slice(0, 3).map((file) => file.id)).toEqual(ids.slice(0, 3));
    for (const [index, file] of [a, b, c].entries()) expect(files[index]!.downloadUrl).toMatch(new RegExp(`/download/${file.id}\\?`));
    expect(files.slice(0, 3).map((file) => file.node)).toEqual([
      { ...a.instanceId, name: a.name, mimeType: a.mimeType ?? null },
      { ...b.instanceId, name: b.name, mimeType: b.mimeType ?? null },
      null,
    ]);
    expect(sent('files')).toEqual([[a, b, c, { id: 1 }].map((file) => ({ id: file.id }))]);
    expect(sent('files/downloadlink')).toEqual([[a, b, c].map((file) => ({ id: file.id }))]);
    expect(sent('models/instances')).toEqual([[a, b].map((file) => ({ instanceType: 'node', ...file.instanceId }))]);
    expect(cdf().log.find((entry) => entry.route === 'models/instances')?.sources).toEqual([{ source: view }]);
  });

  it('150 download URLs cost two requests (CDF takes 100 a request), and a second query within the link\'s life none', async () => {
    const ids = cdf().data.files.slice(0, 150).map((file) => String(file.id));
    const ask = () => query('query($ids: [ID!]!) { files(ids: $ids) { downloadUrl } }', { variables: { ids } });
    const first = await ask();
    const second = await ask();
    expect(second.body).toEqual(first.body);
    expect(sent('files/downloadlink').map((items) => items.length)).toEqual([100, 50]);
  });

  it("a node asked by untrusted arguments is checked first: an invalid space is the loader's message, and is never sent", async () => {
    const file = at(cdf().data.files.filter((candidate) => candidate.instanceId !== undefined), 0);
    const found = await query(`{ fileNode(space: "${file.instanceId!.space}", externalId: "${file.instanceId!.externalId}") { externalId name } }`);
    expect(found.body).toEqual({ data: { fileNode: { externalId: file.instanceId!.externalId, name: file.name } } });

    const reply = await query('{ fileNode(space: "1bad", externalId: "x") { externalId } }');
    const expected = (() => {
      try {
        parseInstanceIdentifier({ instanceType: 'node', space: '1bad', externalId: 'x' });
      } catch (error) {
        return error as InvalidIdentifierError;
      }
      throw new Error('expected an invalid identifier');
    })();
    expect(expected).toBeInstanceOf(InvalidIdentifierError);
    expect(reply.body.errors?.map(({ message, extensions }) => ({ message, extensions }))).toEqual([{ message: expected.message, extensions: { code: 'BAD_USER_INPUT' } }]);
    expect(sent('models/instances')).toHaveLength(1);
  });
});
