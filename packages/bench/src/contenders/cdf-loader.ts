import { createFilesLoader, type LoaderOptions } from 'cdf-loader';
import type { Contender, Target } from './contender.js';
import { type LoadWave, loaderContender } from './loader-contender.js';

/** Options of the loader under test, on top of the target's connection. */
export type CdfLoaderTuning = Omit<Partial<LoaderOptions>, 'baseUrl' | 'project' | 'getToken' | 'fetch'>;

/**
 * cdf-loader as users deploy it: one shared loader for the process (`perOperation: false`), or
 * one `forRequest()` DataLoader per operation over that shared loader.
 */
export function cdfLoaderContender(name: string, perOperation: boolean, tuning: CdfLoaderTuning = {}): Contender {
  return loaderContender(name, (target) => {
    const files = createFilesLoader({ ...connection(target), ...tuning });
    if (!perOperation) {
      const wave: LoadWave = (ids) => files.loadMany(ids.map((id) => ({ id })));
      return () => wave;
    }
    return () => {
      const scope = files.forRequest();
      return (ids) => scope.loadMany(ids.map((id) => ({ id })));
    };
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
