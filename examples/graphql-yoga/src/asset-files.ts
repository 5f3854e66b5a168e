import type { FileInfo } from 'cdf-loader';

/**
 * `createServer`'s `assetFiles` from files already at hand: which of them link to each asset,
 * as a search index would answer. The tests and the trace demo build it from the fake's data.
 */
export function assetFilesOf(files: readonly Pick<FileInfo, 'id' | 'assetIds'>[]): (assetId: number) => readonly number[] {
  const index = new Map<number, number[]>();
  for (const file of files) {
    for (const assetId of file.assetIds ?? []) index.set(assetId, [...(index.get(assetId) ?? []), file.id]);
  }
  return (assetId) => index.get(assetId) ?? [];
}
