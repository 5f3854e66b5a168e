export type { IdentifierKind, OtherRoute, ResourceName, RouteName } from './resources.js';
export { RESOURCE_NAMES } from './resources.js';
export type { Identifier } from './identifiers.js';
export type {
  AssetAggregates,
  AssetItem,
  EventItem,
  FileItem,
  GeoLocation,
  GeoLocationGeometry,
  InstanceId,
  Label,
  PointCoordinates,
  ResourceItems,
  DirectRelation,
  EdgeItem,
  InstanceItem,
  InstanceProperties,
  NodeItem,
  SequenceColumn,
  SequenceItem,
  TimeSeriesItem,
} from './items.js';
export type { GenerateDataOptions, MockData, TokenAccess } from './data.js';
export { DEFAULT_COUNTS, generateData } from './data.js';
export type { Fault } from './faults.js';
export type { CdfErrorBody } from './validation.js';
export type { MockCdfOptions, MockCdfSettings } from './options.js';
export { DEFAULT_LOG_LIMIT, DEFAULT_PROJECT, DEFAULT_TOKEN } from './options.js';
export type { MockCounters, RequestLogEntry } from './request-log.js';
export type { MockCdf } from './server.js';
export { startMockCdf } from './server.js';
export { createRandom } from './random.js';
export type { Random } from './random.js';
export { DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, startTokenEndpoint, type TokenEndpoint, type TokenEndpointFault, type TokenEndpointOptions, type TokenEndpointRequest } from './token-endpoint.js';
export { EXTENDED_LINK_LIFETIME_MS, LINK_LIFETIME_MS, MAX_LINKS } from './downloadlink.js';
export { instanceRefKey, MAX_INSTANCES, MAX_SOURCES, VIEWS } from './instances.js';
