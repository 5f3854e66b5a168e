import { createFilesLoader, type Identifier } from 'cdf-loader';
import { describe, expect, it } from 'vitest';
import { at, byIdsRequests, useGraphQLServer, useMockCdf } from './support.js';

const cdf = useMockCdf({ counts: { files: 20, assets: 5 } });
const query = useGraphQLServer(cdf);

/** What cdf-loader itself says about an identifier: the message the GraphQL error must carry. */
async function loaderMessage(identifier: unknown): Promise<string> {
  const loader = createFilesLoader({ baseUrl: cdf().url, project: cdf().project, getToken: () => cdf().token });
  return loader.load(identifier as Identifier).then(
    () => 'no error',
    (error: Error) => error.message,
  );
}

describe('errors', () => {
  it("an invalid id is a GraphQL error with cdf-loader's message, and is never sent", async () => {
    const reply = await query('{ file(id: "abc") { id } }');

    expect(reply).toEqual({
      status: 200,
      body: {
        data: { file: null },
        errors: [{ message: await loaderMessage({ id: 'abc' }), path: ['file'], locations: [{ line: 1, column: 3 }], extensions: { code: 'BAD_USER_INPUT' } }],
      },
    });
    expect(await loaderMessage({ id: 'abc' })).toMatch(/^Invalid identifier \{"id":"abc"\}: /);
    expect(byIdsRequests(cdf())).toEqual([]);
  });

  it('in a list, only the invalid entries fail; the others are loaded in one request', async () => {
    const file = at(cdf().data.files, 0);

    const reply = await query(`{ files(ids: ["0", "${file.id}", "99999999999999999999"]) { id } }`);

    expect(reply.body.data).toEqual({ files: [null, { id: String(file.id) }, null] });
    expect(reply.body.errors?.map(({ message, path }) => ({ message, path }))).toEqual([
      { message: await loaderMessage({ id: 0 }), path: ['files', 0] },
      { message: await loaderMessage({ id: '99999999999999999999' }), path: ['files', 2] },
    ]);
    expect(byIdsRequests(cdf()).map((request) => request.items)).toEqual([[{ id: file.id }]]);
  });

  it('giving both id and externalId is the loader\'s "exactly one" error', async () => {
    const reply = await query('{ file(id: "1", externalId: "x") { id } }');

    expect(reply.body.errors?.map((error) => error.message)).toEqual([await loaderMessage({ id: 1, externalId: 'x' })]);
  });

  it("a failed CDF request is a GraphQL error carrying CDF's request id", async () => {
    cdf().addFault({ request: 1, status: 500 });
    const file = at(cdf().data.files, 0);

    const reply = await query(`{ file(id: "${file.id}") { id } }`);

    const [request] = cdf().log;
    expect(reply.body).toEqual({
      data: { file: null },
      errors: [
        {
          message: `CDF files/byids failed with 500: Internal Server Error (request id ${request?.requestId})`,
          path: ['file'],
          locations: [{ line: 1, column: 3 }],
          extensions: { code: 'CDF_REQUEST_FAILED', status: 500, requestId: request?.requestId },
        },
      ],
    });
  });

  it('Asset.files without an asset→files index says what to configure', async () => {
    const asset = at(cdf().data.assets, 0);

    const reply = await query(`{ asset(id: "${asset.id}") { files { id } } }`);

    expect(reply.body.errors?.map(({ message, path }) => ({ message, path }))).toEqual([
      { message: '`Asset.files` needs to know which files link to an asset: pass `assetFiles` to createServer.', path: ['asset', 'files'] },
    ]);
  });
});
