export { ByIdsLoader, createByIdsLoader, createCdfLoaders, createFileLinksLoader, createFilesLoader, createInstancesLoader } from './loader/loader.js';
export type {
  AssetsLoader,
  CdfLoaders,
  EventsLoader,
  FileLinksLoader,
  FilesLoader,
  InstancesLoader,
  NotFoundValue,
  SequencesLoader,
  TimeSeriesLoader,
} from './loader/loader.js';
export type { AnyIterable, LoadAllOptions, LoadAllResult } from './bulk/load-all.js';
export { CdfLoaderPool, createCdfLoaderPool } from './loader/principal-pool.js';
export type { CdfLoaderPoolOptions } from './loader/principal-pool.js';
export { createConcurrencyLimit } from './options/options.js';
export type { BatchingOptions, CacheOptions, ConnectionOptions, Lane, LoaderOptions, LoaderSetOptions, LoadOptions, MissingPolicy, RequestRateOptions, RetryOptions } from './options/options.js';
export type { FileLinksOptions, InstancesOptions } from './options/reach-options.js';
export { ConcurrencyLimit } from './send/concurrency-limit.js';
export type { ConcurrencyLimitOptions } from './send/concurrency-limit.js';
export { createMemorySharedCache, MemorySharedCache } from './shared/shared-cache.js';
export type {
  MemorySharedCacheOptions,
  SharedCache,
  SharedCacheInvalidation,
  SharedCacheItem,
  SharedCacheScope,
  SharedCacheWriteOptions,
} from './shared/shared-cache.js';
export { createMemorySharedConcurrency, MemorySharedConcurrency } from './shared/shared-concurrency.js';
export type { SharedConcurrency, SharedSlot } from './shared/shared-concurrency.js';
export { createMemorySharedRate, MemorySharedRate } from './shared/shared-rate.js';
export type { SharedRate } from './shared/shared-rate.js';
export { channels } from './telemetry/telemetry.js';
export type {
  BatchEvent,
  CacheEvent,
  ConcurrencyEvent,
  EventSource,
  LoadEvent,
  LoaderStats,
  LoadOutcome,
  NotFoundEvent,
  RequestEvent,
  RetryEvent,
  SharedTierEvent,
} from './telemetry/telemetry.js';
export type { RequestScopeOptions } from './loader/request-scope.js';
export type { GetToken, TokenRequest } from './auth/token-source.js';
export { clientCredentials } from './auth/client-credentials.js';
export { fromCogniteClient } from './auth/from-cognite-client.js';
export type { CogniteClientConnection, CogniteClientLike } from './auth/from-cognite-client.js';
export type { ClientCredentialsOptions } from './auth/client-credentials.js';
export { assets, defineResource, events, files, sequences, timeSeries } from './resources/resources.js';
export type {
  Asset,
  CdfEvent,
  EpochMs,
  FileInfo,
  GeoLocation,
  Label,
  Resource,
  Sequence,
  SequenceColumn,
  TimeSeries,
} from './resources/resources.js';
export type { FileLink } from './resources/file-links.js';
export type { DirectRelationReference, EdgeInstance, Instance, InstanceProperties, NodeInstance } from './resources/instances.js';
export type { Endpoint } from './resources/endpoint.js';
export type {
  CanonicalKey,
  ExternalId,
  IdEither,
  Identifier,
  IdentifierKind,
  InstanceId,
  InstanceReference,
  InternalId,
} from './identifiers/identifiers.js';
export { parseIdentifier } from './identifiers/identifiers.js';
export { parseInstanceIdentifier } from './identifiers/instance-identifiers.js';
export type { InstanceIdentifier, InstanceSource, ViewReference } from './identifiers/instance-identifiers.js';
export { CdfLoaderError } from './errors/cdf-loader-error.js';
export { CdfApiError } from './errors/cdf-api-error.js';
export type { CdfApiErrorDetails } from './errors/cdf-api-error.js';
export { InvalidIdentifierError } from './errors/invalid-identifier-error.js';
export { NotFoundError } from './errors/not-found-error.js';
export { TokenProviderError } from './errors/token-provider-error.js';
export type { TokenProviderErrorDetails } from './errors/token-provider-error.js';
export { LoaderClosedError } from './errors/loader-closed-error.js';
export { VERSION } from './version.js';
