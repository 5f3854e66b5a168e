import { distinctPicks, EPOCH_SPAN, EPOCH_START, geoLocation, idSource, labels, metadata, pad, times, UPDATE_SPAN } from './generated-fields.js';
import type { AssetItem, EventItem, FileItem, ResourceItems, SequenceColumn, SequenceItem, TimeSeriesItem } from './items.js';
import type { Random } from './random.js';
import type { ResourceName } from './resources.js';
import { AREAS, DOC_KINDS, EQUIPMENT, EVENT_TYPES, FILE_TYPES, SOURCES, UNITS } from './vocabulary.js';

const MAX_COLUMNS = 5;

/** What the generators of one data set share: one PRNG, drawn from in a fixed order, and what items refer to. */
export interface GenerationContext {
  random: Random;
  dataSetIds: number[];
  /** The generated assets' ids, once they exist; events, time series, sequences and files refer to them. */
  assetIds: number[];
}

/**
 * Makes item `index` of a resource. `newId` draws the item's id: when it draws, among the item's
 * other draws, is part of what the seed fixes. `made` holds the items made before it.
 */
type ItemBuilder<T> = (index: number, newId: () => number, made: readonly T[]) => T;

/** How a resource's items are made: called once for a data set of `count` of them. */
type ItemRecipe<T> = (ctx: GenerationContext, count: number) => ItemBuilder<T>;

function setDataSetId(ctx: GenerationContext, target: { dataSetId?: number }, share: number): void {
  if (ctx.random.chance(share)) target.dataSetId = ctx.random.pick(ctx.dataSetIds);
}

/** A hierarchy: the first hundredth of the assets are roots, every other one the child of an earlier one. */
const assets: ItemRecipe<AssetItem> = (ctx, count) => {
  const { random } = ctx;
  const roots = Math.max(1, Math.ceil(count / 100));
  return (i, newId, made) => {
    const id = newId();
    const parent = i < roots ? undefined : made[random.int(0, i - 1)];
    const tag = `${random.int(10, 99)}-${random.pick(['PT', 'TT', 'FT', 'PU', 'VA', 'HX'])}-${pad(i)}`;
    const asset: AssetItem = { id, name: parent ? tag : `Plant ${random.pick(AREAS)} ${i}`, rootId: parent?.rootId ?? id, ...times(random) };
    if (random.chance(0.9)) asset.externalId = parent ? `WMT:${tag}` : `plant-${pad(i)}`;
    if (parent) {
      asset.parentId = parent.id;
      if (parent.externalId !== undefined) asset.parentExternalId = parent.externalId;
    }
    if (random.chance(0.6)) asset.description = `${random.pick(EQUIPMENT)} ${tag}`;
    setDataSetId(ctx, asset, 0.9);
    if (random.chance(0.85)) asset.metadata = metadata(random, i);
    if (random.chance(0.7)) asset.source = random.pick(SOURCES);
    if (random.chance(0.15)) asset.labels = labels(random);
    if (random.chance(0.1)) asset.geoLocation = geoLocation(random);
    return asset;
  };
};

const events: ItemRecipe<EventItem> = (ctx) => {
  const { random } = ctx;
  return (i, newId) => {
    const event: EventItem = { id: newId(), ...times(random) };
    if (random.chance(0.6)) event.externalId = `evt:${random.pick(SOURCES).toLowerCase()}.${pad(i)}`;
    setDataSetId(ctx, event, 0.9);
    const startTime = EPOCH_START + random.int(0, EPOCH_SPAN);
    event.startTime = startTime;
    if (random.chance(0.85)) event.endTime = startTime + random.int(60_000, 14 * 86_400_000);
    const [type, subtypes] = random.pick(EVENT_TYPES);
    event.type = type;
    event.subtype = random.pick(subtypes);
    if (random.chance(0.7)) event.description = `${type} on ${random.pick(EQUIPMENT).toLowerCase()} ${pad(i)}`;
    if (random.chance(0.8)) event.metadata = metadata(random, i);
    if (ctx.assetIds.length > 0 && random.chance(0.8)) event.assetIds = distinctPicks(random, ctx.assetIds, 3);
    if (random.chance(0.7)) event.source = random.pick(SOURCES);
    return event;
  };
};

const timeseries: ItemRecipe<TimeSeriesItem> = (ctx) => {
  const { random } = ctx;
  return (i, newId) => {
    const isString = random.chance(0.1);
    const tag = `VAL_${random.int(10, 99)}-${random.pick(['PT', 'TT', 'FT', 'ZT'])}-${pad(i)}:X.Value`;
    const ts: TimeSeriesItem = { id: newId(), isString, type: isString ? 'string' : 'numeric', isStep: random.chance(0.15), ...times(random) };
    if (random.chance(0.85)) ts.externalId = tag;
    if (random.chance(0.25)) ts.instanceId = { space: 'sp_timeseries', externalId: `ts.${pad(i)}-${random.pick(['raw', 'clean', 'calc'])}` };
    ts.name = tag;
    if (!isString && random.chance(0.7)) {
      const [unit, unitExternalId] = random.pick(UNITS);
      ts.unit = unit;
      if (random.chance(0.6)) ts.unitExternalId = unitExternalId;
    }
    if (random.chance(0.6)) ts.description = `${random.pick(EQUIPMENT)} sensor ${pad(i)}`;
    if (random.chance(0.8)) ts.metadata = metadata(random, i);
    if (ctx.assetIds.length > 0 && random.chance(0.8)) ts.assetId = random.pick(ctx.assetIds);
    if (random.chance(0.05)) ts.securityCategories = [random.int(1, 99)];
    setDataSetId(ctx, ts, 0.9);
    return ts;
  };
};

/** Sequences with 1..MAX_COLUMNS columns, whose ids come from a range of their own. */
const sequences: ItemRecipe<SequenceItem> = (ctx, count) => {
  const { random } = ctx;
  const newColumnId = idSource(random, count * MAX_COLUMNS);
  return (i, newId) => {
    const created = times(random);
    const columns: SequenceColumn[] = [];
    const columnCount = random.int(1, MAX_COLUMNS);
    for (let c = 0; c < columnCount; c++) {
      const column: SequenceColumn = { id: newColumnId(), valueType: random.pick(['DOUBLE', 'DOUBLE', 'LONG', 'STRING'] as const), ...created };
      column.name = `column ${c}`;
      column.externalId = `col_${c}`;
      if (random.chance(0.3)) column.description = `Column ${c} of sequence ${pad(i)}`;
      column.metadata = {};
      columns.push(column);
    }
    const sequence: SequenceItem = { id: newId(), columns, ...created };
    if (random.chance(0.7)) sequence.externalId = `seq-${pad(i)}.${random.pick(['curve', 'profile', 'table'])}`;
    sequence.name = `${random.pick(EQUIPMENT)} curve ${pad(i)}`;
    if (random.chance(0.5)) sequence.description = `Performance curve ${pad(i)}`;
    if (ctx.assetIds.length > 0 && random.chance(0.7)) sequence.assetId = random.pick(ctx.assetIds);
    if (random.chance(0.7)) sequence.metadata = metadata(random, i);
    setDataSetId(ctx, sequence, 0.9);
    return sequence;
  };
};

/** Documents of a plant: ~70 % with an externalId in one of three styles, ~30 % with an instanceId. */
const files: ItemRecipe<FileItem> = (ctx) => {
  const { random } = ctx;
  return (i, newId) => {
    const [ext, mimeType] = random.pick(FILE_TYPES);
    const kind = random.pick(DOC_KINDS);
    const area = random.pick(AREAS);
    const rev = random.int(1, 9);
    const n = pad(i);
    const createdTime = EPOCH_START + random.int(0, EPOCH_SPAN);
    const uploaded = random.chance(0.95);
    const file: FileItem = { id: newId(), name: `${kind.title} ${n} rev ${rev}.${ext}`, uploaded, createdTime, lastUpdatedTime: createdTime + random.int(0, UPDATE_SPAN) };
    if (random.chance(0.7)) {
      const style = random.int(0, 2);
      file.externalId = style === 0 ? `file-${n}.${ext}` : style === 1 ? `${area}/docs/doc-${n}` : `DOC.${n}-r${rev}`;
    }
    if (random.chance(0.3)) {
      file.instanceId = { space: 'cdf_files', externalId: random.chance(0.5) ? `file.${n}-v${rev}` : `${kind.stem}-${n}.${ext}` };
    }
    if (random.chance(0.6)) file.directory = `/plants/${area}/${kind.folder}`;
    if (random.chance(0.8)) file.source = random.pick(SOURCES);
    if (random.chance(0.9)) file.mimeType = mimeType;
    if (random.chance(0.85)) file.metadata = random.chance(0.1) ? {} : metadata(random, i);
    if (ctx.assetIds.length > 0 && random.chance(0.75)) file.assetIds = distinctPicks(random, ctx.assetIds, 3);
    setDataSetId(ctx, file, 0.9);
    if (random.chance(0.5)) {
      file.sourceCreatedTime = createdTime - random.int(0, 10_000_000_000);
      file.sourceModifiedTime = file.sourceCreatedTime + random.int(0, 5_000_000_000);
    }
    if (random.chance(0.05)) file.securityCategories = [random.int(1, 99)];
    if (random.chance(0.2)) file.labels = labels(random);
    if (random.chance(0.1)) file.geoLocation = geoLocation(random);
    if (uploaded) file.uploadedTime = createdTime + random.int(0, 600_000);
    return file;
  };
};

const RECIPES: { [R in ResourceName]: ItemRecipe<ResourceItems[R]> } = { assets, events, timeseries, sequences, files };

/** `count` generated items of `resource`, each with a unique id from CDF's range, drawn from `ctx.random`. */
export function generateItems<R extends ResourceName>(resource: R, ctx: GenerationContext, count: number): ResourceItems[R][] {
  const build: ItemBuilder<ResourceItems[R]> = RECIPES[resource](ctx, count);
  const newId = idSource(ctx.random, count);
  const items: ResourceItems[R][] = [];
  for (let index = 0; index < count; index++) items.push(build(index, newId, items));
  return items;
}
