import type { FileInfo } from 'cdf-loader';
import type { FileLookup } from '../schema.js';
import { type FileRef, refKey } from '../workload.js';
import { createByIdsClient, findFile, type PostByIds, type RetryPolicy } from './byids-client.js';
import type { CdfConnection, Strategy } from './strategy.js';

/** @cognite/sdk's retry: 429 only for a POST, 5 retries, full jitter under 250 ms · 2^(n+1), at most 15 s. */
const SDK_RETRY: RetryPolicy = { limit: 5, capMs: (retry) => Math.min(15_000, 250 * 2 ** retry) };
const SDK_CHUNK_SIZE = 1000;

/**
 * What a GraphQL server built on `@cognite/sdk` does: a DataLoader per operation collects the
 * ids its resolvers ask for in one tick, and its batch function calls `files.retrieve(ids)`,
 * which cuts them into chunks of 1000 and sends every chunk at once, with no concurrency limit.
 */
export function createSdkStyleStrategy(connection: CdfConnection): Strategy {
  const post = createByIdsClient(connection, SDK_RETRY);
  return { forOperation: () => createOperationBatch((refs) => retrieve(post, refs)) };
}

/** `files.retrieve`: every chunk at once; one failed chunk fails the whole call. */
async function retrieve(post: PostByIds, refs: readonly FileRef[]): Promise<FileInfo[]> {
  const chunks: FileRef[][] = [];
  for (let start = 0; start < refs.length; start += SDK_CHUNK_SIZE) chunks.push(refs.slice(start, start + SDK_CHUNK_SIZE));
  return (await Promise.all(chunks.map(post))).flat();
}

/** DataLoader's essentials: memoize per key, and send the keys of one tick as one batch. */
function createOperationBatch(batch: (refs: readonly FileRef[]) => Promise<FileInfo[]>): FileLookup {
  const memo = new Map<string, Promise<FileInfo | null>>();
  let queue: { ref: FileRef; resolve: (file: FileInfo | null) => void; reject: (error: unknown) => void }[] = [];

  function dispatch(): void {
    const queued = queue;
    queue = [];
    batch(queued.map((entry) => entry.ref)).then(
      (items) => queued.forEach((entry) => entry.resolve(findFile(items, entry.ref))),
      (error: unknown) => queued.forEach((entry) => entry.reject(error)),
    );
  }

  return {
    loadFile(ref) {
      const key = refKey(ref);
      let promise = memo.get(key);
      if (promise === undefined) {
        // DataLoader's schedule: after the promise jobs of this tick, so every resolver of the pass joins.
        if (queue.length === 0) void Promise.resolve().then(() => process.nextTick(dispatch));
        promise = new Promise((resolve, reject) => queue.push({ ref, resolve, reject }));
        memo.set(key, promise);
      }
      return promise;
    },
  };
}
