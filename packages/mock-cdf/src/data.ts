import { instanceKeyOf, isRecord } from './identifiers.js';
import type {
  AssetItem,
  EventItem,
  FileItem,
  GeoLocation,
  Label,
  ResourceItems,
  SequenceColumn,
  SequenceItem,
  TimeSeriesItem,
} from './items.js';
import { createRandom, type Random } from './random.js';
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
  /** The data sets used by generated items. */
  dataSetIds: number[];
  /** The item a token would get for this identifier (undefined if unknown or invisible to that token). */
  find(resource: ResourceName, identifier: unknown, access?: TokenAccess): Record<string, unknown> | undefined;
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

const MIN_ID = 1e12;
const MAX_COLUMNS = 5;
const EPOCH_START = 1_500_000_000_000; // 2017-07
const EPOCH_SPAN = 230_000_000_000; // ~7 years, up to 2024-10
const FILE_TYPES: readonly (readonly [string, string])[] = [
  ['pdf', 'application/pdf'],
  ['pdf', 'application/pdf'],
  ['docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
  ['xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
  ['dwg', 'image/vnd.dwg'],
  ['png', 'image/png'],
  ['jpg', 'image/jpeg'],
  ['txt', 'text/plain'],
  ['csv', 'text/csv'],
  ['zip', 'application/zip'],
];
const DOC_KINDS = ['P&ID', 'Datasheet', 'Inspection report', 'Maintenance log', 'Isometric', 'Procedure', 'Photo'].map((title) => ({
  title,
  stem: title.replace(/\W/g, ''),
  folder: title.toLowerCase().replace(/\W+/g, '-'),
}));
const AREAS = ['north', 'south', 'east', 'west', 'offshore'];
const SOURCES = ['SharePoint', 'Documentum', 'SAP', 'FileShare', 'OSIsoft PI', 'Maximo'];
const DISCIPLINES = ['mechanical', 'electrical', 'process', 'instrument', 'piping', 'structural'];
const LABELS = ['approved', 'draft', 'superseded', 'critical', 'as-built'];
const EQUIPMENT = ['Pump', 'Compressor', 'Separator', 'Heat exchanger', 'Valve', 'Tank', 'Motor'];
const EVENT_TYPES: readonly (readonly [string, readonly string[]])[] = [
  ['workorder', ['corrective', 'preventive', 'inspection']],
  ['alarm', ['high', 'low', 'trip']],
  ['failure', ['leak', 'vibration', 'overheating']],
  ['maintenance', ['planned', 'unplanned']],
];
const UNITS: readonly (readonly [string, string])[] = [
  ['degC', 'temperature:deg_c'],
  ['bar', 'pressure:bar'],
  ['m3/h', 'volume_flow_rate:m3-per-hr'],
  ['rpm', 'angular_velocity:rev-per-min'],
  ['%', 'dimensionless_ratio:percent'],
];

const pad = (n: number): string => String(n).padStart(6, '0');

/**
 * Ids for `count` items, unique and spread over CDF's range 1e12..2^53-1: one random id in each
 * of `count` equal slices (ascending, so no set of used ids is needed).
 */
function idSource(random: Random, count: number): () => number {
  const slice = Math.floor((Number.MAX_SAFE_INTEGER - MIN_ID) / Math.max(count, 1));
  let next = 0;
  return () => MIN_ID + slice * next++ + Math.floor((random.next() + random.next() / 4294967296) * slice);
}

function times(random: Random): { createdTime: number; lastUpdatedTime: number } {
  const createdTime = EPOCH_START + random.int(0, EPOCH_SPAN);
  return { createdTime, lastUpdatedTime: createdTime + random.int(0, 30_000_000_000) };
}

function metadata(random: Random, index: number): Record<string, string> {
  const result: Record<string, string> = { discipline: random.pick(DISCIPLINES) };
  if (random.chance(0.7)) result.revision = String(random.int(1, 12));
  if (random.chance(0.5)) result.area = random.pick(AREAS);
  if (random.chance(0.4)) result.sourceKey = `SRC-${pad(index)}`;
  return result;
}

function labels(random: Random): Label[] {
  const first = random.int(0, LABELS.length - 1);
  const count = random.int(1, 2);
  return LABELS.slice(first, first + count).map((externalId) => ({ externalId }));
}

function geoLocation(random: Random): GeoLocation {
  const point = (): [number, number] => [
    Math.round((2 + random.next() * 8) * 1e5) / 1e5,
    Math.round((56 + random.next() * 6) * 1e5) / 1e5,
  ];
  if (random.chance(0.8)) return { type: 'Feature', geometry: { type: 'Point', coordinates: point() } };
  return { type: 'Feature', geometry: { type: 'LineString', coordinates: [point(), point()] } };
}

function distinctPicks(random: Random, from: readonly number[], max: number): number[] {
  const picked: number[] = [];
  const count = random.int(1, max);
  for (let i = 0; i < count; i++) {
    const value = random.pick(from);
    if (!picked.includes(value)) picked.push(value);
  }
  return picked;
}

interface Context {
  random: Random;
  dataSetIds: number[];
  assetIds: number[];
}

function dataSetId(ctx: Context, target: { dataSetId?: number }, share: number): void {
  if (ctx.random.chance(share)) target.dataSetId = ctx.random.pick(ctx.dataSetIds);
}

function generateAssets(ctx: Context, count: number): AssetItem[] {
  const { random } = ctx;
  const newId = idSource(random, count);
  const assets: AssetItem[] = [];
  const roots = Math.max(1, Math.ceil(count / 100));
  for (let i = 0; i < count; i++) {
    const id = newId();
    const parent = i < roots ? undefined : assets[random.int(0, i - 1)];
    const tag = `${random.int(10, 99)}-${random.pick(['PT', 'TT', 'FT', 'PU', 'VA', 'HX'])}-${pad(i)}`;
    const asset: AssetItem = { id, name: parent ? tag : `Plant ${random.pick(AREAS)} ${i}`, rootId: parent?.rootId ?? id, ...times(random) };
    if (random.chance(0.9)) asset.externalId = parent ? `WMT:${tag}` : `plant-${pad(i)}`;
    if (parent) {
      asset.parentId = parent.id;
      if (parent.externalId !== undefined) asset.parentExternalId = parent.externalId;
    }
    if (random.chance(0.6)) asset.description = `${random.pick(EQUIPMENT)} ${tag}`;
    dataSetId(ctx, asset, 0.9);
    if (random.chance(0.85)) asset.metadata = metadata(random, i);
    if (random.chance(0.7)) asset.source = random.pick(SOURCES);
    if (random.chance(0.15)) asset.labels = labels(random);
    if (random.chance(0.1)) asset.geoLocation = geoLocation(random);
    assets.push(asset);
  }
  return assets;
}

function generateEvents(ctx: Context, count: number): EventItem[] {
  const { random } = ctx;
  const newId = idSource(random, count);
  const events: EventItem[] = [];
  for (let i = 0; i < count; i++) {
    const event: EventItem = { id: newId(), ...times(random) };
    if (random.chance(0.6)) event.externalId = `evt:${random.pick(SOURCES).toLowerCase()}.${pad(i)}`;
    dataSetId(ctx, event, 0.9);
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
    events.push(event);
  }
  return events;
}

function generateTimeSeries(ctx: Context, count: number): TimeSeriesItem[] {
  const { random } = ctx;
  const newId = idSource(random, count);
  const series: TimeSeriesItem[] = [];
  for (let i = 0; i < count; i++) {
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
    dataSetId(ctx, ts, 0.9);
    series.push(ts);
  }
  return series;
}

function generateSequences(ctx: Context, count: number): SequenceItem[] {
  const { random } = ctx;
  const newId = idSource(random, count);
  const newColumnId = idSource(random, count * MAX_COLUMNS);
  const sequences: SequenceItem[] = [];
  for (let i = 0; i < count; i++) {
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
    dataSetId(ctx, sequence, 0.9);
    sequences.push(sequence);
  }
  return sequences;
}

function generateFiles(ctx: Context, count: number): FileItem[] {
  const { random } = ctx;
  const newId = idSource(random, count);
  const files: FileItem[] = [];
  for (let i = 0; i < count; i++) {
    const [ext, mimeType] = random.pick(FILE_TYPES);
    const kind = random.pick(DOC_KINDS);
    const area = random.pick(AREAS);
    const rev = random.int(1, 9);
    const n = pad(i);
    const createdTime = EPOCH_START + random.int(0, EPOCH_SPAN);
    const uploaded = random.chance(0.95);
    const file: FileItem = { id: newId(), name: `${kind.title} ${n} rev ${rev}.${ext}`, uploaded, createdTime, lastUpdatedTime: createdTime + random.int(0, 30_000_000_000) };
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
    dataSetId(ctx, file, 0.9);
    if (random.chance(0.5)) {
      file.sourceCreatedTime = createdTime - random.int(0, 10_000_000_000);
      file.sourceModifiedTime = file.sourceCreatedTime + random.int(0, 5_000_000_000);
    }
    if (random.chance(0.05)) file.securityCategories = [random.int(1, 99)];
    if (random.chance(0.2)) file.labels = labels(random);
    if (random.chance(0.1)) file.geoLocation = geoLocation(random);
    if (uploaded) file.uploadedTime = createdTime + random.int(0, 600_000);
    files.push(file);
  }
  return files;
}

interface ItemIndex {
  find(identifier: unknown): Record<string, unknown> | undefined;
}

/** O(1) lookups by id, externalId and instanceId; the first item wins if two share an identifier. */
function indexItems(items: readonly object[]): ItemIndex {
  const byId = new Map<number, Record<string, unknown>>();
  const byExternalId = new Map<string, Record<string, unknown>>();
  const byInstanceId = new Map<string, Record<string, unknown>>();
  // Backwards, so that the first of two items sharing an identifier is the one kept.
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i] as Record<string, unknown>;
    const { id, externalId, instanceId } = item;
    if (typeof id === 'number') byId.set(id, item);
    if (typeof externalId === 'string') byExternalId.set(externalId, item);
    const instanceKey = instanceKeyOf(instanceId);
    if (instanceKey !== undefined) byInstanceId.set(instanceKey, item);
  }
  return {
    find(identifier) {
      if (!isRecord(identifier)) return undefined;
      const { id, externalId, instanceId } = identifier;
      if (typeof id === 'number') return byId.get(id);
      if (typeof externalId === 'string') return byExternalId.get(externalId);
      const instanceKey = instanceKeyOf(instanceId);
      return instanceKey === undefined ? undefined : byInstanceId.get(instanceKey);
    },
  };
}

function checkCount(resource: ResourceName, count: number): number {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`counts.${resource} must be a non-negative integer, got ${count}`);
  return count;
}

/** Generates deterministic, realistic CDF data: the same seed and counts give identical data. */
export function generateData(options: GenerateDataOptions = {}): MockData {
  const seed = options.seed ?? 1;
  const counts = { ...DEFAULT_COUNTS, ...options.counts };
  const random = createRandom(seed);
  const ctx: Context = { random, dataSetIds: [], assetIds: [] };
  const dataSetCount = random.int(3, 5);
  for (let i = 0; i < dataSetCount; i++) ctx.dataSetIds.push(random.int(1, 9_999_999_999_999));

  const given = options.items ?? {};
  const pick = <R extends ResourceName>(resource: R, generate: (ctx: Context, count: number) => ResourceItems[R][]): ResourceItems[R][] =>
    (given[resource] as ResourceItems[R][] | undefined) ?? generate(ctx, checkCount(resource, counts[resource]));

  const assets = pick('assets', generateAssets);
  ctx.assetIds = assets.map((asset) => asset.id);
  const resources: { [R in ResourceName]: ResourceItems[R][] } = {
    assets,
    events: pick('events', generateEvents),
    timeseries: pick('timeseries', generateTimeSeries),
    sequences: pick('sequences', generateSequences),
    files: pick('files', generateFiles),
  };
  const indexes = new Map(RESOURCE_NAMES.map((resource) => [resource, indexItems(resources[resource])]));
  return {
    ...resources,
    dataSetIds: ctx.dataSetIds,
    find(resource, identifier, access) {
      const item = indexes.get(resource)?.find(identifier);
      if (item === undefined || access?.dataSetIds === undefined) return item;
      return access.dataSetIds.includes(item.dataSetId as number) ? item : undefined;
    },
  };
}
