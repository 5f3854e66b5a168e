import type { Contender, Item, Target } from './contender.js';
import { loaderContender } from './loader-contender.js';

/**
 * The least any loader can do for real callers, and the reference line of B3 and B4: a per-tick
 * queue, a `Map` dedupe, chunks of 1000, one promise per key, raw `fetch`. No limit, no cache,
 * no retry, nothing else. One shared by every operation.
 */
export function minimalLoaderContender(name: string): Contender {
  return loaderContender(name, (target) => {
    const load = minimalLoader(target);
    const wave = (ids: readonly number[]): Promise<(Item | null | Error)[]> =>
      Promise.all(ids.map((id) => load(id).catch((error: unknown) => error as Error)));
    return () => wave;
  });
}

function minimalLoader(target: Target): (id: number) => Promise<Item | null> {
  const url = `${target.baseUrl}/api/v1/projects/${target.project}/files/byids`;
  const headers = { authorization: `Bearer ${target.token}`, 'content-type': 'application/json' };
  const fetch = target.fetch ?? globalThis.fetch;
  let queue = new Map<number, { resolve: (item: Item | null) => void; reject: (error: unknown) => void; promise: Promise<Item | null> }>();
  const send = async (ids: number[], waiting: typeof queue): Promise<void> => {
    try {
      const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ items: ids.map((id) => ({ id })), ignoreUnknownIds: true }) });
      if (!response.ok) throw new Error(`byids failed with ${response.status}`);
      const byId = new Map(((await response.json()) as { items: Item[] }).items.map((item) => [item.id, item]));
      for (const id of ids) waiting.get(id)!.resolve(byId.get(id) ?? null);
    } catch (error) {
      for (const id of ids) waiting.get(id)!.reject(error);
    }
  };
  return (id) => {
    const known = queue.get(id);
    if (known !== undefined) return known.promise;
    if (queue.size === 0) {
      process.nextTick(() => {
        const waiting = queue;
        queue = new Map();
        const ids = [...waiting.keys()];
        for (let start = 0; start < ids.length; start += 1000) void send(ids.slice(start, start + 1000), waiting);
      });
    }
    let resolve!: (item: Item | null) => void;
    let reject!: (error: unknown) => void;
    const promise = new Promise<Item | null>((settle, fail) => ((resolve = settle), (reject = fail)));
    queue.set(id, { resolve, reject, promise });
    return promise;
  };
}
