import { type CdfLoaders, createCdfLoaders, type LoaderOptions } from 'cdf-loader';
import type { CdfConnection, Strategy } from './strategy.js';

/** What a replica adds to share with the other replicas: `cache.shared` and `sharedConcurrency`. */
export type ReplicaSharing = Pick<LoaderOptions, 'cache' | 'sharedConcurrency'>;
/** Options a run sets besides the connection: the replicas' sharing, the outage demo's cache and retries. */
export type LoaderExtras = Pick<LoaderOptions, 'cache' | 'sharedConcurrency' | 'retry'>;

/**
 * One shared `createCdfLoaders` for the whole run, and a `files.forRequest()` DataLoader per
 * operation; `loaders` is the set, for its stats and its `close()`.
 */
export function createCdfLoaderStrategy(connection: CdfConnection, extras: LoaderExtras = {}): Strategy & { loaders: CdfLoaders } {
  const loaders = createCdfLoaders({ ...connection, ...extras });
  return {
    loaders,
    forOperation: () => {
      const files = loaders.files.forRequest();
      return { loadFile: (ref) => files.load(ref) };
    },
  };
}
