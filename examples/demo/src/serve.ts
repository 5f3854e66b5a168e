import { createYoga } from 'graphql-yoga';
import { ASSET_FILES_QUERY, createAssetSchema, type OperationContext } from './schema.js';
import type { Strategy } from './strategies/strategy.js';
import { type CatalogueAsset, type Operation, refKey } from './workload.js';

/** Counters that move while operations are served, for a progress line to read. */
export interface ServingProgress {
  /** Operations answered so far. */
  finished: number;
  /** File lookups the resolvers made so far. */
  loads: number;
}

/** What serving operations through graphql-yoga gave. */
export interface ServedOperations {
  /** The GraphQL answer of each operation, in the order of the operations given. */
  bodies: unknown[];
  /** Each operation's time in ms, ascending. */
  latenciesMs: number[];
  /** File lookups the resolvers made. */
  loads: number;
  /** Distinct file references among them (`refKey`). */
  keys: Set<string>;
  /** First operation sent to last answer, in ms. */
  wallMs: number;
}

/**
 * Serves `operations` through graphql-yoga over the catalogue, `concurrency` at a time (each
 * client sends its next operation once the previous one answered), with the strategy's
 * `FileLookup` in each operation's context.
 */
export async function serveOperations(
  assets: ReadonlyMap<string, CatalogueAsset>,
  operations: readonly Operation[],
  strategy: Strategy,
  concurrency: number,
  progress: ServingProgress = { finished: 0, loads: 0 },
): Promise<ServedOperations> {
  const keys = new Set<string>();
  const yoga = createYoga<object, OperationContext>({
    schema: createAssetSchema(assets),
    context: () => ({
      files: strategy.forOperation(),
      onLoad: (ref) => {
        progress.loads++;
        keys.add(refKey(ref));
      },
    }),
    logging: false,
    maskedErrors: false,
  });

  const bodies: unknown[] = new Array(operations.length);
  const latenciesMs: number[] = [];
  const startedAt = performance.now();
  let next = 0;
  const client = async (): Promise<void> => {
    while (next < operations.length) {
      const index = next++;
      const operationStart = performance.now();
      const response = await yoga.fetch('http://demo/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: ASSET_FILES_QUERY, variables: { ids: operations[index]?.assetIds } }),
      });
      bodies[index] = await response.json();
      latenciesMs.push(performance.now() - operationStart);
      progress.finished++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, operations.length) }, client));
  const wallMs = performance.now() - startedAt;
  latenciesMs.sort((a, b) => a - b);
  return { bodies, latenciesMs, loads: progress.loads, keys, wallMs };
}

/** Nearest-rank percentile of ascending `sorted`; 0 when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted.length === 0 ? 0 : (sorted[Math.ceil(p * sorted.length) - 1] ?? 0);
}
