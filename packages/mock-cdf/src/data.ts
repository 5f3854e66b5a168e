import { generateItems, type GenerationContext } from './generators.js';
import { indexItems } from './item-index.js';
import { instanceRefKey, instancesOf } from './instances.js';
import type { AssetItem, EventItem, FileItem, InstanceItem, ResourceItems, SequenceItem, TimeSeriesItem } from './items.js';
import { createRandom } from './random.js';
import { outOfRange } from './range-error.js';
import { RESOURCE_NAMES, type ResourceName } from './resources.js';

/** What one bearer token may see. */
export interface TokenAccess {
  /** Data sets whose items the token sees; items outside them (or without a data set) behave exactly as unknown ids. Default: absent, the token sees everything. */
  dataSetIds?: number[];
}

/** The fake's resources, and lookups over them. */
export interface MockData {
  files: FileItem[];
  assets: AssetItem[];
  events: EventItem[];
  timeseries: TimeSeriesItem[];
  sequences: SequenceItem[];
  /** Data-modeling nodes and edges: a `CogniteFile` node per file with an `instanceId`, and a few edges (see `instancesOf`). */
  instances: InstanceItem[];
  /** The data sets used by generated items. */
  dataSetIds: number[];
  /** The item a token would get for this identifier (undefined if unknown or invisible to that token). */
  find(resource: ResourceName, identifier: unknown, access?: TokenAccess): Record<string, unknown> | undefined;
  /** The instance with this key (`instanceRefKey`), or undefined. */
  findInstance(key: string): InstanceItem | undefined;
}

export interface GenerateDataOptions {
  /** PRNG seed; the same seed and counts give identical data. Default 1. */
  seed?: number;
  /** Items per resource. Default: files 1000, each other resource 200. */
  counts?: Partial<Record<ResourceName, number>>;
  /** Replaces the generated items of a resource with these, as given. Default: none. */
  items?: Partial<Record<ResourceName, Record<string, unknown>[]>>;
}

export const DEFAULT_COUNTS: Readonly<Record<ResourceName, number>> = {
  files: 1000,
  assets: 200,
  events: 200,
  timeseries: 200,
  sequences: 200,
};

function checkCount(resource: ResourceName, count: number): number {
  if (!Number.isInteger(count) || count < 0) throw outOfRange(`counts.${resource}`, 'a non-negative integer', count);
  return count;
}

/** Generates deterministic, realistic CDF data: the same seed and counts give identical data. */
export function generateData(options: GenerateDataOptions = {}): MockData {
  const seed = options.seed ?? 1;
  const counts = { ...DEFAULT_COUNTS, ...options.counts };
  const random = createRandom(seed);
  const ctx: GenerationContext = { random, dataSetIds: [], assetIds: [] };
  const dataSetCount = random.int(3, 5);
  for (let i = 0; i < dataSetCount; i++) ctx.dataSetIds.push(random.int(1, 9_999_999_999_999));

  const given = options.items ?? {};
  const itemsOf = <R extends ResourceName>(resource: R): ResourceItems[R][] =>
    (given[resource] as ResourceItems[R][] | undefined) ?? generateItems(resource, ctx, checkCount(resource, counts[resource]));

  // In this order: the one PRNG's draws fix the data, and the other resources refer to the assets.
  const assets = itemsOf('assets');
  ctx.assetIds = assets.map((asset) => asset.id);
  const resources: { [R in ResourceName]: ResourceItems[R][] } = {
    assets,
    events: itemsOf('events'),
    timeseries: itemsOf('timeseries'),
    sequences: itemsOf('sequences'),
    files: itemsOf('files'),
  };
  const indexes = new Map(RESOURCE_NAMES.map((resource) => [resource, indexItems(resources[resource])]));
  const instances = instancesOf(resources.files);
  const instanceIndex = new Map(instances.map((instance) => [instanceRefKey(instance), instance]));
  return {
    ...resources,
    instances,
    findInstance: (key) => instanceIndex.get(key),
    dataSetIds: ctx.dataSetIds,
    find(resource, identifier, access) {
      const item = indexes.get(resource)?.find(identifier);
      if (item === undefined || access?.dataSetIds === undefined) return item;
      return access.dataSetIds.includes(item.dataSetId as number) ? item : undefined;
    },
  };
}
