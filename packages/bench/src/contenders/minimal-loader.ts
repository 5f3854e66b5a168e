import type { Contender, Item, Target } from './contender.js';
import { loaderContender } from './loader-contender.js';

/**
 * The least any loader can do for real callers, and the reference line of B3 and B4: a per-tick
 * queue, a `Map` of one promise per key (which dedupes, as a shared DataLoader memoizes), chunks
 * of 1000, raw `fetch`. No limit, no cache bounds or expiry, no retry, nothing else. One shared
 * by every operation.
 */
export function minimalLoaderContender(name: string, options: MinimalLoaderOptions = {}): Contender {
  return loaderContender(name, (target) => {
    const load = minimalLoader(target, options);
    const wave = (ids: readonly number[]): Promise<(Item | null | Error)[]> =>
      Promise.all(ids.map((id) => load(id).catch((error: unknown) => error as Error)));
    return () => wave;
  });
}

export interface MinimalLoaderOptions {
  /** Requests in flight at most (B4's reference keeps to the fake's limit); none: no limit. */
  concurrency?: number;
}

/** The minimal loader's `load(id)`: one promise per key, for as long as the loader lives. */
export function minimalLoader(target: Target, options: MinimalLoaderOptions = {}): (id: number) => Promise<Item | null> {
  const url = `${target.baseUrl}/api/v1/projects/${target.project}/files/byids`;
  const headers = { authorization: `Bearer ${target.token}`, 'content-type': 'application/json' };
  const fetch = target.fetch ?? globalThis.fetch;
  const promises = new Map<number, Promise<Item | null>>();
  let queue: { id: number; resolve: (item: Item | null) => void; reject: (error: unknown) => void }[] = [];
  const limit = options.concurrency ?? Number.POSITIVE_INFINITY;
  let inFlight = 0;
  const waiting: (typeof queue)[] = [];
  const send = async (batch: typeof queue): Promise<void> => {
    if (inFlight >= limit) {
      waiting.push(batch);
      return;
    }
    inFlight++;
    try {
      const body = JSON.stringify({ items: batch.map(({ id }) => ({ id })), ignoreUnknownIds: true });
      const response = await fetch(url, { method: 'POST', headers, body });
      if (!response.ok) throw new Error(`byids failed with ${response.status}`);
      const byId = new Map(((await response.json()) as { items: Item[] }).items.map((item) => [item.id, item]));
      for (const { id, resolve } of batch) resolve(byId.get(id) ?? null);
    } catch (error) {
      for (const { reject } of batch) reject(error);
    } finally {
      inFlight--;
      const next = waiting.shift();
      if (next !== undefined) void send(next);
    }
  };
  return (id) => {
    let promise = promises.get(id);
    if (promise !== undefined) return promise;
    if (queue.length === 0) {
      process.nextTick(() => {
        const ready = queue;
        queue = [];
        for (let start = 0; start < ready.length; start += 1000) void send(ready.slice(start, start + 1000));
      });
    }
    promise = new Promise<Item | null>((resolve, reject) => queue.push({ id, resolve, reject }));
    promises.set(id, promise);
    return promise;
  };
}
