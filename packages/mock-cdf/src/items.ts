// The resource objects CDF returns from byids, field for field as in Cognite's published OpenAPI spec.
// Times are epoch milliseconds.

/** A data-model instance identifier. */
export interface InstanceId {
  space: string;
  externalId: string;
}

export interface Label {
  externalId: string;
}

export type PointCoordinates = [number, number];

export type GeoLocationGeometry =
  | { type: 'Point'; coordinates: PointCoordinates }
  | { type: 'LineString'; coordinates: PointCoordinates[] }
  | { type: 'Polygon'; coordinates: PointCoordinates[][] }
  | { type: 'MultiPoint'; coordinates: PointCoordinates[] }
  | { type: 'MultiLineString'; coordinates: PointCoordinates[][] }
  | { type: 'MultiPolygon'; coordinates: PointCoordinates[][][] };

/** A GeoJSON Feature. */
export interface GeoLocation {
  type: 'Feature';
  geometry: GeoLocationGeometry;
  properties?: Record<string, unknown>;
}

export interface FileItem {
  id: number;
  externalId?: string;
  instanceId?: InstanceId;
  name: string;
  directory?: string;
  source?: string;
  mimeType?: string;
  metadata?: Record<string, string>;
  assetIds?: number[];
  dataSetId?: number;
  sourceCreatedTime?: number;
  sourceModifiedTime?: number;
  securityCategories?: number[];
  labels?: Label[];
  geoLocation?: GeoLocation;
  uploaded: boolean;
  uploadedTime?: number;
  createdTime: number;
  lastUpdatedTime: number;
}

export interface AssetAggregates {
  childCount?: number;
  depth?: number;
  path?: { id: number }[];
}

export interface AssetItem {
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
  aggregates?: AssetAggregates;
  createdTime: number;
  lastUpdatedTime: number;
}

export interface EventItem {
  id: number;
  externalId?: string;
  dataSetId?: number;
  startTime?: number;
  endTime?: number;
  type?: string;
  subtype?: string;
  description?: string;
  metadata?: Record<string, string>;
  assetIds?: number[];
  source?: string;
  createdTime: number;
  lastUpdatedTime: number;
}

export interface TimeSeriesItem {
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
  createdTime: number;
  lastUpdatedTime: number;
}

export interface SequenceColumn {
  id: number;
  name?: string;
  externalId?: string;
  description?: string;
  valueType: 'STRING' | 'DOUBLE' | 'LONG';
  metadata?: Record<string, string>;
  createdTime: number;
  lastUpdatedTime: number;
}

export interface SequenceItem {
  id: number;
  externalId?: string;
  name?: string;
  description?: string;
  assetId?: number;
  metadata?: Record<string, string>;
  columns: SequenceColumn[];
  dataSetId?: number;
  createdTime: number;
  lastUpdatedTime: number;
}

/** The item type of each resource. */
export interface ResourceItems {
  files: FileItem;
  assets: AssetItem;
  events: EventItem;
  timeseries: TimeSeriesItem;
  sequences: SequenceItem;
}

/** A reference to an instance or a type in data modeling. */
export interface DirectRelation {
  space: string;
  externalId: string;
}

/** Property values by view space, then `<view externalId>/<version>`, then property name. */
export type InstanceProperties = Record<string, Record<string, Record<string, unknown>>>;

interface InstanceFields {
  space: string;
  externalId: string;
  version: number;
  createdTime: number;
  lastUpdatedTime: number;
  /** What the fake holds for each view, by `<space>:<externalId>/<version>`; answered only for the views a request's `sources` name. */
  viewData: Record<string, Record<string, unknown>>;
}

/** A data-modeling node as the fake holds it (`viewData` is turned into `properties` per request). */
export interface NodeItem extends InstanceFields {
  instanceType: 'node';
  type?: DirectRelation;
}

/** A data-modeling edge as the fake holds it. */
export interface EdgeItem extends InstanceFields {
  instanceType: 'edge';
  type: DirectRelation;
  startNode: DirectRelation;
  endNode: DirectRelation;
}

export type InstanceItem = NodeItem | EdgeItem;
