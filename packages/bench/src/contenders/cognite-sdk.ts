import * as cogniteSdk from '@cognite/sdk';
import DataLoader from 'dataloader';
import type { Contender, Item, Target } from './contender.js';
import { type LoadWave, loaderContender } from './loader-contender.js';

/**
 * The part of `CogniteClient` the bench uses. The SDK's declaration files import each other
 * without file extensions, which NodeNext resolution cannot follow, so TypeScript sees the
 * package as empty; the runtime export is fine.
 */
interface SdkClient {
  files: { retrieve(ids: { id: number }[], params?: { ignoreUnknownIds?: boolean }): Promise<Item[]> };
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
      const client = sdkClient(target);
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

/**
 * What a team on the official SDK writes for GraphQL: one DataLoader shared by all operations,
 * whose batch function is `files.retrieve(ids, { ignoreUnknownIds: true })`.
 */
export function dataLoaderOverSdkContender(name: string): Contender {
  return loaderContender(name, (target) => {
    const client = sdkClient(target);
    const loader = new DataLoader<number, Item | null>(
      async (ids) => {
        const files = await client.files.retrieve(ids.map((id) => ({ id })), { ignoreUnknownIds: true });
        const byId = new Map<number, Item>(files.map((file) => [file.id, file]));
        return ids.map((id) => byId.get(id) ?? null);
      },
      { maxBatchSize: 1000 },
    );
    const wave: LoadWave = (ids) => loader.loadMany(ids);
    return () => wave;
  });
}

function sdkClient(target: Target): SdkClient {
  return new CogniteClient({
    appId: 'cdf-loader-bench',
    project: target.project,
    baseUrl: target.baseUrl,
    oidcTokenProvider: async () => target.token,
  });
}
