import type { Asset, FileInfo, IdEither } from 'cdf-loader';
import type DataLoader from 'dataloader';
import { createGraphQLError, createSchema } from 'graphql-yoga';
import type { Context } from './context.js';
import { type IdArgs, toIdentifier } from './identifiers.js';

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
  }
`;

/** The schema: every lookup goes through the request's DataLoaders, so each level of a query is one byids request per resource. */
export function createCdfSchema(assetFiles: AssetFiles | undefined) {
  return createSchema<Context>({
    typeDefs,
    resolvers: {
      Query: {
        file: (_: unknown, args: IdArgs, { files }: Context) => files.load(toIdentifier(args)),
        files: (_: unknown, { ids }: { ids: string[] }, { files }: Context) => loadByIds(files, ids),
        asset: (_: unknown, args: IdArgs, { assets }: Context) => assets.load(toIdentifier(args)),
        assets: (_: unknown, { ids }: { ids: string[] }, { assets }: Context) => loadByIds(assets, ids),
      },
      File: {
        assets: async (file: FileInfo, _: unknown, { assets }: Context) =>
          visible(await assets.loadMany((file.assetIds ?? []).map((id) => ({ id })))),
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

/** Loads in order; each place is the item, null, or its error (which GraphQL reports at that index). */
function loadByIds<TItem>(loader: DataLoader<IdEither, TItem | null, string>, ids: readonly string[]) {
  return loader.loadMany(ids.map((id) => toIdentifier({ id })));
}

/** Drops the links the caller may not see: CDF answers them like unknown ids. */
function visible<T>(items: readonly (T | null | Error)[]): (T | Error)[] {
  return items.filter((item): item is T | Error => item !== null);
}
