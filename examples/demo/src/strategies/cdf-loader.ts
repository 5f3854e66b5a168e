import { createCdfLoaders } from 'cdf-loader';
import type { CdfConnection, Strategy } from './strategy.js';

/** One shared `createCdfLoaders` for the whole run, and a `files.forRequest()` DataLoader per operation. */
export function createCdfLoaderStrategy(connection: CdfConnection): Strategy {
  const cdf = createCdfLoaders(connection);
  return {
    forOperation: () => {
      const files = cdf.files.forRequest();
      return { loadFile: (ref) => files.load(ref) };
    },
  };
}
