import type { FileInfo } from 'cdf-loader';
import { createSchema } from 'graphql-yoga';
import type { CatalogueAsset, FileRef } from './workload.js';

/** What a strategy gives the resolvers of one GraphQL operation. */
export interface FileLookup {
  /** The file, or null when CDF has none. */
  loadFile(ref: FileRef): Promise<FileInfo | null>;
}

/** The GraphQL context of one operation. */
export interface OperationContext {
  files: FileLookup;
  /** Called for every file reference a resolver looks up, to count loads. */
  onLoad(ref: FileRef): void;
}

/** The File fields the operations select, as GraphQL answers them. */
export interface FileAnswer {
  id: string;
  externalId: string | null;
  name: string;
  mimeType: string | null;
  directory: string | null;
  lastUpdatedTime: number;
}

/** The operation every client sends, with `$ids` the assets it asks for. */
export const ASSET_FILES_QUERY = /* GraphQL */ `
  query AssetFiles($ids: [ID!]!) {
    assets(ids: $ids) {
      id
      name
      files { id externalId name mimeType directory lastUpdatedTime }
    }
  }
`;

/** What GraphQL answers for a file CDF returned (or `null`): the oracle the demo checks answers against. */
export function fileAnswer(file: Pick<FileInfo, 'id' | 'externalId' | 'name' | 'mimeType' | 'directory' | 'lastUpdatedTime'> | null): FileAnswer | null {
  if (file === null) return null;
  return {
    id: String(file.id),
    externalId: file.externalId ?? null,
    name: file.name,
    mimeType: file.mimeType ?? null,
    directory: file.directory ?? null,
    lastUpdatedTime: file.lastUpdatedTime,
  };
}

/**
 * The schema: assets come from the in-memory catalogue, and each of their file references is
 * looked up in CDF through the operation's `FileLookup` — the N+1 shape loaders exist for.
 */
export function createAssetSchema(assets: ReadonlyMap<string, CatalogueAsset>) {
  return createSchema<OperationContext>({
    typeDefs: /* GraphQL */ `
      type Query {
        assets(ids: [ID!]!): [Asset!]!
      }
      type Asset {
        id: ID!
        name: String!
        files: [File]!
      }
      type File {
        id: ID!
        externalId: String
        name: String!
        mimeType: String
        directory: String
        lastUpdatedTime: Float!
      }
    `,
    resolvers: {
      Query: {
        assets: (_parent: unknown, args: { ids: string[] }) =>
          args.ids.map((id) => {
            const asset = assets.get(id);
            if (asset === undefined) throw new Error(`No asset '${id}' in the catalogue.`);
            return asset;
          }),
      },
      Asset: {
        files: (asset: CatalogueAsset, _args: unknown, context: OperationContext) =>
          asset.fileRefs.map((ref) => {
            context.onLoad(ref);
            return context.files.loadFile(ref);
          }),
      },
    },
  });
}
