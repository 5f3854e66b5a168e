import type { FileLookup } from '../schema.js';
import { createByIdsClient, findFile, type RetryPolicy } from './byids-client.js';
import type { CdfConnection, Strategy } from './strategy.js';

/** Enough patience that every lookup gets through the 429 storm it makes itself. */
const NAIVE_RETRY: RetryPolicy = { limit: 100, capMs: (retry) => Math.min(500, 25 * 2 ** retry) };

/** Every File resolver posts its own byids request with one id: the N+1 pattern, with a simple retry on 429. */
export function createNaiveStrategy(connection: CdfConnection): Strategy {
  const post = createByIdsClient(connection, NAIVE_RETRY);
  const lookup: FileLookup = { loadFile: async (ref) => findFile(await post([ref]), ref) };
  return { forOperation: () => lookup };
}
