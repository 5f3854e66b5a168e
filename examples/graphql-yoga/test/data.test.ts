import { describe, expect, it } from 'vitest';
import { at, byIdsRequests, useGraphQLServer, useMockCdf } from './support.js';

// An asset by id and by externalId in one request is answered once per identifier here, so each
// request below is the one the resolvers caused; cdf-loader's resend for CDF's `duplicated` answer
// is tested in packages/cdf-loader (duplicated.test.ts).
const cdf = useMockCdf({ counts: { files: 100, assets: 20 }, aliasDuplicates: 'answered' });
const query = useGraphQLServer(cdf);

const FILE_FIELDS = 'id externalId name directory mimeType source uploaded createdTime lastUpdatedTime';

describe('the data', () => {
  it('answers every File field as CDF has it, absent fields as null', async () => {
    const file = at(cdf().data.files, 0);

    const reply = await query(`query($id: ID) { file(id: $id) { ${FILE_FIELDS} } }`, { variables: { id: String(file.id) } });

    expect(reply.body).toEqual({
      data: {
        file: {
          id: String(file.id),
          externalId: file.externalId ?? null,
          name: file.name,
          directory: file.directory ?? null,
          mimeType: file.mimeType ?? null,
          source: file.source ?? null,
          uploaded: file.uploaded,
          createdTime: file.createdTime,
          lastUpdatedTime: file.lastUpdatedTime,
        },
      },
    });
  });

  it('finds a file by externalId and an asset by id or externalId', async () => {
    const file = cdf().data.files.find((item) => item.externalId !== undefined);
    const asset = cdf().data.assets.find((item) => item.externalId !== undefined);
    if (file?.externalId === undefined || asset?.externalId === undefined) throw new Error('the fake has no externalIds');

    const reply = await query('query($file: String, $asset: String, $assetId: ID) { file(externalId: $file) { id } byExternalId: asset(externalId: $asset) { name } byId: asset(id: $assetId) { name } }', {
      variables: { file: file.externalId, asset: asset.externalId, assetId: String(asset.id) },
    });

    expect(reply.body).toEqual({ data: { file: { id: String(file.id) }, byExternalId: { name: asset.name }, byId: { name: asset.name } } });
    expect(byIdsRequests(cdf()).map((request) => request.items)).toEqual([[{ externalId: file.externalId }], [{ externalId: asset.externalId }, { id: asset.id }]]);
  });

  it('answers null, without an error, for ids and externalIds CDF does not have', async () => {
    const reply = await query('{ byId: file(id: "1") { id } byExternalId: file(externalId: "no-such-file") { id } files(ids: ["2", "3"]) { id } asset(id: "4") { id } }');

    expect(reply).toEqual({ status: 200, body: { data: { byId: null, byExternalId: null, files: [null, null], asset: null } } });
  });
});
