import { createFilesLoader, type Identifier, type LoaderOptions } from 'cdf-loader';
import DataLoader from 'dataloader';
import type { Contender, Item, Target } from './contender.js';
import { type LoadWave, loaderContender } from './loader-contender.js';

/** Options of the loader under test, on top of the target's connection. */
export type CdfLoaderTuning = Omit<Partial<LoaderOptions>, 'baseUrl' | 'project' | 'getToken' | 'fetch'>;

/**
 * How operations reach the shared loader: `shared`, every operation calls it; `forRequest`, one
 * `forRequest()` DataLoader per operation over it; `dataloader`, one plain `DataLoader` per
 * operation whose batch function is the shared loader's `loadMany`, the least a DataLoader per
 * request over the shared loader can cost, and so the reference line for `forRequest()`.
 */
export type CdfLoaderMode = 'shared' | 'forRequest' | 'dataloader';

/** cdf-loader as users deploy it: one shared loader for the process, reached as `mode` says. */
export function cdfLoaderContender(name: string, mode: CdfLoaderMode, tuning: CdfLoaderTuning = {}): Contender {
  return loaderContender(name, (target) => {
    const files = createFilesLoader({ ...connection(target), ...tuning });
    const refsOf = (ids: readonly number[]): Identifier[] => ids.map((id) => ({ id }));
    switch (mode) {
      case 'shared': {
        const wave: LoadWave = (ids) => files.loadMany(refsOf(ids));
        return () => wave;
      }
      case 'forRequest':
        return () => {
          const scope = files.forRequest();
          return (ids) => scope.loadMany(refsOf(ids));
        };
      case 'dataloader':
        return () => {
          const loader = new DataLoader<Identifier, Item | null, number | undefined>((refs) => files.loadMany(refs), { cacheKeyFn: (ref) => ref.id });
          return (ids) => loader.loadMany(refsOf(ids));
        };
    }
  });
}

function connection(target: Target): LoaderOptions {
  return {
    baseUrl: target.baseUrl,
    project: target.project,
    getToken: () => target.token,
    ...(target.fetch === undefined ? {} : { fetch: target.fetch }),
  };
}
