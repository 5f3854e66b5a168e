import { type Asset, type FileInfo, InvalidIdentifierError, parseInstanceIdentifier } from 'cdf-loader';
import type DataLoader from 'dataloader';
import { createGraphQLError, createSchema } from 'graphql-yoga';
import type { Context } from './context.js';
import { fileNodeOf } from './file-node.js';
import { assetIdentifier, fileIdentifier, type IdArgs } from './identifiers.js';

/**
 * The ids of the files linked to an asset. CDF keeps that link on the file (`assetIds`), so
 * finding an asset's files is a `files/list` with a filter or a search, not a byids lookup:
 * bring your own (a search index, a precomputed map). The files themselves are then loaded
 * with the caller's token, which drops those they may not see.
 */
export type AssetFiles = (assetId: number) => readonly number[] | Promise<readonly number[]>;

const typeDefs = /* GraphQL */ `
  "A CDF file's metadata. Times are epoch milliseconds."
  type File {
    id: ID!
    externalId: String
    name: String!
    directory: String
    mimeType: String
    source: String
    uploaded: Boolean!
    createdTime: Float!
    lastUpdatedTime: Float!
    "The assets the file is linked to that the caller may see."
    assets: [Asset]!
    "A link to the file's content, valid for 30 seconds from the request that made it (cached until 5 seconds before that)."
    downloadUrl: String
    "The file's data-modeling node (a CogniteFile), for a file that has an instanceId; null otherwise."
    node: FileNode
  }

  "A CogniteFile node: its identity, and its values in the cdf_cdm:CogniteFile/v1 view."
  type FileNode {
    space: String!
    externalId: String!
    version: Int!
    name: String
    mimeType: String
    directory: String
  }

  type Asset {
    id: ID!
    externalId: String
    name: String!
    description: String
    "The files linked to the asset that the caller may see."
    files: [File]!
  }

  type Query {
    "One file by \`id\` or \`externalId\` (give exactly one); null when CDF has none you may see."
    file(id: ID, externalId: String): File
    "Files in the order asked; null where CDF has none you may see."
    files(ids: [ID!]!): [File]!
    "One asset by \`id\` or \`externalId\` (give exactly one)."
    asset(id: ID, externalId: String): Asset
    assets(ids: [ID!]!): [Asset]!
    "A CogniteFile node by its space and externalId; null when CDF has none."
    fileNode(space: String!, externalId: String!): FileNode
  }
`;

/** The schema: every lookup goes through the request's DataLoaders, so each level of a query is one byids request per resource. */
export function createCdfSchema(assetFiles: AssetFiles | undefined) {
  return createSchema<Context>({
    typeDefs,
    resolvers: {
      Query: {
        file: (_: unknown, args: IdArgs, { files }: Context) => files.load(fileIdentifier(args)),
        files: (_: unknown, { ids }: { ids: string[] }, { files }: Context) => loadEach(files, ids, fileIdentifier),
        asset: (_: unknown, args: IdArgs, { assets }: Context) => assets.load(assetIdentifier(args)),
        assets: (_: unknown, { ids }: { ids: string[] }, { assets }: Context) => loadEach(assets, ids, assetIdentifier),
        // Untrusted arguments: checked before anything is sent, an InvalidIdentifierError otherwise.
        fileNode: async (_: unknown, { space, externalId }: { space: string; externalId: string }, { instances }: Context) =>
          fileNodeOf(await instances.load(parseInstanceIdentifier({ instanceType: 'node', space, externalId }))),
      },
      File: {
        assets: async (file: FileInfo, _: unknown, { assets }: Context) =>
          visible(await assets.loadMany((file.assetIds ?? []).map((id) => ({ id })))),
        downloadUrl: async (file: FileInfo, _: unknown, { fileLinks }: Context) => (await fileLinks.load({ id: file.id }))?.downloadUrl ?? null,
        node: async (file: FileInfo, _: unknown, { instances }: Context) =>
          file.instanceId === undefined ? null : fileNodeOf(await instances.load({ instanceType: 'node', ...file.instanceId })),
      },
      Asset: {
        files: async (asset: Asset, _: unknown, { files }: Context) => {
          if (assetFiles === undefined) {
            throw createGraphQLError('`Asset.files` needs to know which files link to an asset: pass `assetFiles` to createServer.');
          }
          return visible(await files.loadMany((await assetFiles(asset.id)).map((id) => ({ id }))));
        },
      },
    },
  });
}

/**
 * Loads each id in order. An id that names nothing CDF could hold (`"abc"`, `"0"`) is its own
 * `InvalidIdentifierError`, which GraphQL reports at its index; the others share one request.
 */
function loadEach<TKey, TItem>(loader: DataLoader<TKey, TItem, unknown>, ids: readonly string[], parse: (args: IdArgs) => TKey): (Promise<TItem> | Error)[] {
  return ids.map((id) => {
    try {
      return loader.load(parse({ id }));
    } catch (error) {
      if (error instanceof InvalidIdentifierError) return error;
      throw error;
    }
  });
}

/** Drops the links the caller may not see: CDF answers them like unknown ids. */
function visible<T>(items: readonly (T | null | Error)[]): (T | Error)[] {
  return items.filter((item): item is T | Error => item !== null);
}
