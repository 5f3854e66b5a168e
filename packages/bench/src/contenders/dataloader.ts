import DataLoader from 'dataloader';
import ky from 'ky';
import type { Contender, Item, Target } from './contender.js';
import { type LoadWave, loaderContender } from './loader-contender.js';

export interface FileRef {
  id: number;
}

/**
 * What a competent user writes without cdf-loader: a `dataloader` whose batch function posts the
 * keys to byids over ky (`maxBatchSize: 1000`, `ignoreUnknownIds`) and matches answers by id.
 * ky's defaults stay: no retry of POST, so a 429 fails its loads. One DataLoader per operation,
 * or one shared by all (memoizing every file forever, as DataLoader does by default).
 */
export function dataLoaderContender(name: string, perOperation: boolean): Contender {
  return loaderContender(name, (target) => {
    const batch = batchFunction(target);
    const create = (): LoadWave => {
      const loader = new DataLoader<FileRef, Item | null, number>(batch, { maxBatchSize: 1000, cacheKeyFn: (ref) => ref.id });
      return (ids) => loader.loadMany(ids.map((id) => ({ id })));
    };
    if (perOperation) return create;
    const shared = create();
    return () => shared;
  });
}

/** The batch function of the dataloader contenders: byids over ky, answers matched by id. */
export function batchFunction(target: Target): (refs: readonly FileRef[]) => Promise<(Item | null)[]> {
  const api = ky.create({
    prefixUrl: `${target.baseUrl}/api/v1/projects/${target.project}`,
    headers: { authorization: `Bearer ${target.token}` },
    ...(target.fetch === undefined ? {} : { fetch: target.fetch }),
  });
  return async (refs) => {
    const { items } = await api.post('files/byids', { json: { items: refs, ignoreUnknownIds: true } }).json<{ items: Item[] }>();
    const byId = new Map(items.map((item) => [item.id, item]));
    return refs.map((ref) => byId.get(ref.id) ?? null);
  };
}
