import * as cogniteSdk from '@cognite/sdk';
import type { Contender, Item } from './contender.js';
import { type LoadWave, loaderContender } from './loader-contender.js';

/**
 * The part of `CogniteClient` the bench uses. The SDK's declaration files import each other
 * without file extensions, which NodeNext resolution cannot follow, so TypeScript sees the
 * package as empty; the runtime export is fine.
 */
interface SdkClient {
  files: { retrieve(ids: { id: number }[]): Promise<Item[]> };
}
const { CogniteClient } = cogniteSdk as unknown as {
  CogniteClient: new (options: { appId: string; project: string; baseUrl: string; oidcTokenProvider: () => Promise<string> }) => SdkClient;
};

/**
 * The official SDK's `files.retrieve`, which neither batches across callers nor caches:
 * `per-reference` calls it once per file reference (the N+1 pattern), `per-wave` once per wave of
 * an operation with that wave's distinct ids (what a resolver without a loader does).
 */
export function cogniteSdkContender(name: string, mode: 'per-reference' | 'per-wave', maxOperations?: number): Contender {
  return loaderContender(
    name,
    (target) => {
      const client = new CogniteClient({
        appId: 'cdf-loader-bench',
        project: target.project,
        baseUrl: target.baseUrl,
        oidcTokenProvider: async () => target.token,
      });
      const retrieve: LoadWave = async (ids) => {
        try {
          // CDF refuses duplicates, so a careful caller sends each id once.
          const files = await client.files.retrieve([...new Set(ids)].map((id) => ({ id })));
          const byId = new Map<number, Item>(files.map((file) => [file.id, file]));
          return ids.map((id) => byId.get(id) ?? null);
        } catch (error) {
          const failure = error instanceof Error ? error : new Error(String(error));
          return ids.map(() => failure);
        }
      };
      const wave: LoadWave = mode === 'per-wave' ? retrieve : async (ids) => (await Promise.all(ids.map((id) => retrieve([id])))).flat();
      return () => wave;
    },
    maxOperations,
  );
}
