import { MAX_ITEMS, newIdsByLevel, uniqueIds } from '../workload.js';
import type { Contender } from './contender.js';

/** How the floor sends its requests. */
export interface FloorOptions {
  /** Requests in flight at most: unlimited by default, 4 for B4's ideal schedule under a limit of 4. */
  concurrency?: number;
  /**
   * Fetch level by level (each wave index of the operations, after the previous one answered)
   * instead of everything at once: the best any loader can do when a resolver tree makes each
   * level wait for the one above.
   */
  byLevel?: boolean;
}

/**
 * The floor: the workload's distinct ids, cut into ceil(unique / 1000) requests whose bodies are
 * built before the clock starts, sent by raw `fetch`. No callers, no matching, no retries.
 */
export function floorContender(name: string, options: FloorOptions = {}): Contender {
  const { concurrency = Number.POSITIVE_INFINITY, byLevel = false } = options;
  return {
    name,
    prepare(target, workload) {
      const levels = (byLevel ? newIdsByLevel(workload) : [uniqueIds(workload)]).map((ids) => {
        const chunks: { body: string; size: number }[] = [];
        for (let start = 0; start < ids.length; start += MAX_ITEMS) {
          const items = ids.slice(start, start + MAX_ITEMS).map((id) => ({ id }));
          chunks.push({ body: JSON.stringify({ items, ignoreUnknownIds: true }), size: items.length });
        }
        return chunks;
      });
      const loads = levels.flat().reduce((sum, chunk) => sum + chunk.size, 0);
      const url = `${target.baseUrl}/api/v1/projects/${target.project}/files/byids`;
      const headers = { authorization: `Bearer ${target.token}`, 'content-type': 'application/json' };
      const fetch = target.fetch ?? globalThis.fetch;
      return async () => {
        let returned = 0;
        let failed = 0;
        for (const chunks of levels) {
          const queue = [...chunks];
          const worker = async (): Promise<void> => {
            for (let chunk = queue.shift(); chunk !== undefined; chunk = queue.shift()) {
              const response = await fetch(url, { method: 'POST', headers, body: chunk.body });
              if (response.ok) returned += ((await response.json()) as { items: unknown[] }).items.length;
              else {
                failed += chunk.size;
                await response.body?.cancel();
              }
            }
          };
          await Promise.all(Array.from({ length: Math.min(concurrency, chunks.length) }, worker));
        }
        return { operations: 0, loads, failed, wrong: loads - returned - failed };
      };
    },
  };
}
