import type { IdEither, Identifier, IdentifierKind, InstanceId } from '../identifiers/identifiers.js';
import type { Endpoint } from './endpoint.js';

/** Epoch milliseconds, as CDF sends them. */
export type EpochMs = number;

/** A label reference. */
export interface Label {
  externalId: string;
}

/** A GeoJSON Feature as CDF stores it on files and assets. */
export interface GeoLocation {
  type: 'Feature';
  geometry: {
    type: 'Point' | 'MultiPoint' | 'LineString' | 'MultiLineString' | 'Polygon' | 'MultiPolygon';
    coordinates: unknown;
  };
  properties?: Record<string, unknown>;
}

/** A CDF file's metadata (`FilesMetadata` in the API). */
export interface FileInfo {
  id: number;
  externalId?: string;
  instanceId?: InstanceId;
  name: string;
  /** Absolute unix path, at most 512 characters. */
  directory?: string;
  source?: string;
  mimeType?: string;
  metadata?: Record<string, string>;
  assetIds?: number[];
  dataSetId?: number;
  sourceCreatedTime?: EpochMs;
  sourceModifiedTime?: EpochMs;
  securityCategories?: number[];
  labels?: Label[];
  geoLocation?: GeoLocation;
  uploaded: boolean;
  uploadedTime?: EpochMs;
  createdTime: EpochMs;
  lastUpdatedTime: EpochMs;
}

/** A CDF asset. */
export interface Asset {
  id: number;
  externalId?: string;
  name: string;
  parentId?: number;
  parentExternalId?: string;
  rootId: number;
  description?: string;
  dataSetId?: number;
  metadata?: Record<string, string>;
  source?: string;
  labels?: Label[];
  geoLocation?: GeoLocation;
  aggregates?: { childCount?: number; depth?: number; path?: { id: number }[] };
  createdTime: EpochMs;
  lastUpdatedTime: EpochMs;
}

/** A CDF event. */
export interface CdfEvent {
  id: number;
  externalId?: string;
  dataSetId?: number;
  startTime?: EpochMs;
  endTime?: EpochMs;
  type?: string;
  subtype?: string;
  description?: string;
  metadata?: Record<string, string>;
  assetIds?: number[];
  source?: string;
  createdTime: EpochMs;
  lastUpdatedTime: EpochMs;
}

/** A CDF time series' metadata. */
export interface TimeSeries {
  id: number;
  externalId?: string;
  instanceId?: InstanceId;
  name?: string;
  isString: boolean;
  type: string;
  metadata?: Record<string, string>;
  unit?: string;
  unitExternalId?: string;
  assetId?: number;
  isStep: boolean;
  description?: string;
  securityCategories?: number[];
  dataSetId?: number;
  createdTime: EpochMs;
  lastUpdatedTime: EpochMs;
}

/** A column of a CDF sequence. */
export interface SequenceColumn {
  name?: string;
  externalId?: string;
  description?: string;
  valueType: 'STRING' | 'DOUBLE' | 'LONG';
  metadata?: Record<string, string>;
  createdTime: EpochMs;
  lastUpdatedTime: EpochMs;
}

/** A CDF sequence. */
export interface Sequence {
  id: number;
  externalId?: string;
  name?: string;
  description?: string;
  assetId?: number;
  metadata?: Record<string, string>;
  columns: SequenceColumn[];
  dataSetId?: number;
  createdTime: EpochMs;
  lastUpdatedTime: EpochMs;
}

/**
 * A CDF resource type a loader reads: its path, the identifier kinds CDF accepts for it, and (as
 * phantom types) its item and identifier. byids resources say no more; others describe their
 * `endpoint`.
 */
export interface Resource<TItem, TIdentifier> {
  /** The path segment: `…/projects/{project}/{path}/byids`. */
  readonly path: string;
  /** The identifier kinds CDF accepts for this resource. */
  readonly kinds: ReadonlySet<IdentifierKind>;
  /** What one item is called in messages: `file`, `time series`. */
  readonly itemName: string;
  /** Never set; carries the item and identifier types. */
  readonly types?: { item: TItem; identifier: TIdentifier };
  /** How requests and answers differ from `{path}/byids`; absent for byids resources. */
  readonly endpoint?: Endpoint<TItem>;
}

/**
 * Describes a byids resource: for CDF resources this library does not list yet.
 * @param itemName What one item is called in messages. @default the path without its final `s`
 */
export function defineResource<TItem, TIdentifier>(
  path: string,
  kinds: readonly IdentifierKind[],
  itemName: string = path.replace(/s$/, ''),
): Resource<TItem, TIdentifier> {
  return { path, kinds: new Set(kinds), itemName };
}

const ID_EITHER = ['id', 'externalId'] as const;
const ANY_IDENTIFIER = ['id', 'externalId', 'instanceId'] as const;

export const files = defineResource<FileInfo, Identifier>('files', ANY_IDENTIFIER);
export const assets = defineResource<Asset, IdEither>('assets', ID_EITHER);
export const events = defineResource<CdfEvent, IdEither>('events', ID_EITHER);
export const timeSeries = defineResource<TimeSeries, Identifier>('timeseries', ANY_IDENTIFIER, 'time series');
export const sequences = defineResource<Sequence, IdEither>('sequences', ID_EITHER);
