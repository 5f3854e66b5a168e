import { createRandom as createSeededRandom } from '@cdf-loader/mock-cdf';
import type { IdEither } from 'cdf-loader';
import type { WorkloadSize } from './config.js';

/** How an asset refers to a file: by internal id or by external id. */
export type FileRef = IdEither;

/** An asset of the in-memory catalogue, with the files it refers to. */
export interface CatalogueAsset {
  id: string;
  name: string;
  fileRefs: readonly FileRef[];
}

/** One GraphQL operation: the assets it asks for, with their files. */
export interface Operation {
  assetIds: readonly string[];
}

/** The catalogue and the operations every strategy runs, with the numbers they imply. */
export interface Workload {
  assets: ReadonlyMap<string, CatalogueAsset>;
  operations: readonly Operation[];
  /** File lookups the operations make (one per reference resolved). */
  loads: number;
  /** Distinct file references among them. */
  uniqueKeys: number;
  /** Distinct file references per operation: what one operation has to ask CDF for at least. */
  uniqueKeysPerOperation: readonly number[];
}

/** A canonical string for a reference, `id:…` or `externalId:…`, for maps and messages. */
export function refKey(ref: FileRef): string {
  return ref.id !== undefined ? `id:${ref.id}` : `externalId:${ref.externalId}`;
}

/** A seeded PRNG (the fake CDF's mulberry32), so every strategy and every run gets the same workload. */
export function createRandom(seed: number): () => number {
  return createSeededRandom(seed).next;
}

/**
 * `count` distinct picks from `from`, favouring its start (the square of a uniform number), so
 * a few items are hot and many are rare, as in real traffic. Fewer when `from` is shorter.
 */
function skewedPicks<T>(random: () => number, from: readonly T[], count: number): T[] {
  const picked = new Set<number>();
  const wanted = Math.min(count, from.length);
  while (picked.size < wanted) picked.add(Math.floor(random() ** 2 * from.length));
  return [...picked].map((index) => from[index] as T);
}

/**
 * Builds the asset catalogue over `pool` (the file references assets may hold) and the
 * operations asking for those assets.
 */
export function buildWorkload(pool: readonly FileRef[], size: WorkloadSize): Workload {
  const random = createRandom(size.seed);
  const [minFiles, maxFiles] = size.filesPerAsset;
  const catalogue: CatalogueAsset[] = Array.from({ length: size.assets }, (_, index) => ({
    id: `asset-${String(index + 1).padStart(5, '0')}`,
    name: `Asset ${index + 1}`,
    fileRefs: skewedPicks(random, pool, minFiles + Math.floor(random() * (maxFiles - minFiles + 1))),
  }));
  const operations = Array.from({ length: size.operations }, () => ({
    assetIds: skewedPicks(random, catalogue, size.assetsPerOperation).map((asset) => asset.id),
  }));
  const assets = new Map(catalogue.map((asset) => [asset.id, asset]));

  const allKeys = new Set<string>();
  let loads = 0;
  const uniqueKeysPerOperation = operations.map((operation) => {
    const keys = new Set<string>();
    for (const assetId of operation.assetIds) {
      for (const ref of assets.get(assetId)?.fileRefs ?? []) {
        loads++;
        keys.add(refKey(ref));
        allKeys.add(refKey(ref));
      }
    }
    return keys.size;
  });
  return { assets, operations, loads, uniqueKeys: allKeys.size, uniqueKeysPerOperation };
}
