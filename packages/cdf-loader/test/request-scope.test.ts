import {
  execute,
  GraphQLFloat,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  parse,
  type ExecutionResult,
} from 'graphql';
import { describe, expect, test } from 'vitest';
import { createFilesLoader, type FileInfo, type FilesLoader, type Identifier, InvalidIdentifierError } from '../src/index.js';
import { byIdsRequests, optionsFor, useMockCdf } from './support.js';

const cdf = useMockCdf({ counts: { files: 300 } });

interface Folder {
  name: string;
  fileIds: number[];
  children: Folder[];
}

type Context = { files: ReturnType<FilesLoader['forRequest']> };

/** A schema whose folders live in memory and whose files come from CDF through the per-request loader. */
function folderSchema(): GraphQLSchema {
  const file = new GraphQLObjectType<FileInfo>({
    name: 'File',
    fields: { id: { type: new GraphQLNonNull(GraphQLFloat) }, name: { type: GraphQLString } },
  });
  const folder: GraphQLObjectType<Folder, Context> = new GraphQLObjectType<Folder, Context>({
    name: 'Folder',
    fields: () => ({
      name: { type: GraphQLString },
      files: {
        type: new GraphQLList(file),
        resolve: (parent, _args, context) => context.files.loadMany(parent.fileIds.map((id) => ({ id }))),
      },
      children: { type: new GraphQLList(folder) },
    }),
  });
  return new GraphQLSchema({
    query: new GraphQLObjectType<unknown, Context>({
      name: 'Query',
      fields: {
        folders: { type: new GraphQLList(folder), resolve: () => folders },
        file: {
          type: file,
          args: { id: { type: new GraphQLNonNull(GraphQLFloat) } },
          resolve: (_parent, args: { id: number }, context) => context.files.load({ id: args.id }),
        },
      },
    }),
  });
}

let folders: Folder[] = [];

describe('forRequest()', () => {
  test('a GraphQL query with nested list fields sends one request for all its files', async () => {
    const ids = cdf().data.files.map((file) => file.id);
    folders = [0, 1, 2].map((index) => ({
      name: `folder ${index}`,
      fileIds: ids.slice(index * 40, index * 40 + 60), // overlapping
      children: [{ name: `child ${index}`, fileIds: ids.slice(200 + index * 10, 230), children: [] }],
    }));
    const shared = createFilesLoader(optionsFor(cdf()));

    const result = (await execute({
      schema: folderSchema(),
      document: parse(`{
        folders { name files { id name } children { name files { id name } } }
        file(id: ${ids[5]}) { name }
      }`),
      contextValue: { files: shared.forRequest() },
    })) as ExecutionResult<{ folders: { files: FileInfo[]; children: { files: FileInfo[] }[] }[]; file: FileInfo }>;

    expect(result.errors).toBeUndefined();
    const byId = new Map(cdf().data.files.map((file) => [file.id, file]));
    result.data!.folders.forEach((got, index) => {
      expect(got.files).toEqual(folders[index]!.fileIds.map((id) => ({ id, name: byId.get(id)!.name })));
      expect(got.children[0]!.files.map((file) => file.id)).toEqual(folders[index]!.children[0]!.fileIds);
    });
    expect(result.data!.file.name).toBe(byId.get(ids[5]!)!.name);

    const requests = byIdsRequests(cdf());
    expect(requests).toHaveLength(1);
    expect(requests[0]!.items).toHaveLength(new Set([...folders.flatMap((folder) => [...folder.fileIds, ...folder.children[0]!.fileIds])]).size);
  });

  test('each request scope memoizes; the shared loader caches across scopes', async () => {
    const shared = createFilesLoader(optionsFor(cdf()));
    const file = cdf().data.files[0]!;
    const first = shared.forRequest();
    const second = shared.forRequest();

    expect(await first.load({ id: file.id })).toEqual(file);
    expect(await first.load({ id: file.id })).toBe(await first.load({ id: file.id }));
    expect(await second.load({ id: file.id })).toEqual(file);
    expect(byIdsRequests(cdf())).toHaveLength(1);
    expect(shared.stats()).toMatchObject({ loads: 2, cacheHits: 1 });
  });

  test('an invalid identifier rejects that field only, without throwing from load()', async () => {
    const scope = createFilesLoader(optionsFor(cdf())).forRequest();
    const file = cdf().data.files[1]!;
    const results = await scope.loadMany([{ id: -1 } as Identifier, { id: file.id }]);
    expect(results[0]).toBeInstanceOf(InvalidIdentifierError);
    expect(results[1]).toEqual(file);
  });

  test('is named for tracing by @opentelemetry/instrumentation-dataloader', () => {
    const loader = createFilesLoader(optionsFor(cdf()));
    expect(loader.forRequest().name).toBe('cdf-loader.files');
    expect(loader.forRequest({ name: 'files-by-folder' }).name).toBe('files-by-folder');
  });
});
