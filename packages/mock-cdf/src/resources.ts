/** The CDF resources whose `byids` endpoint the fake serves (the path segment of each). */
export type ResourceName = 'files' | 'assets' | 'events' | 'timeseries' | 'sequences';

/** The identifier kinds a byids item can use. */
export type IdentifierKind = 'id' | 'externalId' | 'instanceId';

interface ResourceSpec {
  /** Used in error messages, e.g. `Files ids not found`. */
  readonly title: string;
  readonly kinds: readonly IdentifierKind[];
  /** CDF answers duplicates with 400, except time series (422). */
  readonly duplicateStatus: number;
  /** Extra top-level request fields the endpoint accepts besides `items` and `ignoreUnknownIds`. */
  readonly extraFields: readonly string[];
}

export const RESOURCES: Readonly<Record<ResourceName, ResourceSpec>> = {
  files: { title: 'Files', kinds: ['id', 'externalId', 'instanceId'], duplicateStatus: 400, extraFields: [] },
  assets: { title: 'Assets', kinds: ['id', 'externalId'], duplicateStatus: 400, extraFields: ['aggregatedProperties'] },
  events: { title: 'Events', kinds: ['id', 'externalId'], duplicateStatus: 400, extraFields: [] },
  timeseries: { title: 'Time series', kinds: ['id', 'externalId', 'instanceId'], duplicateStatus: 422, extraFields: [] },
  sequences: { title: 'Sequences', kinds: ['id', 'externalId'], duplicateStatus: 400, extraFields: [] },
};

export const RESOURCE_NAMES = Object.keys(RESOURCES) as ResourceName[];

export function isResourceName(value: string): value is ResourceName {
  return Object.hasOwn(RESOURCES, value);
}

/** The endpoints the fake serves besides byids, by their path after the project. */
export type OtherRoute = 'files/downloadlink' | 'models/instances';

/** What a request is for: a resource's byids, download links or data-modeling instances. */
export type RouteName = ResourceName | OtherRoute;

const PATHS = /^\/api\/v1\/projects\/([^/]+)\/(?:([^/]+)\/byids|(files\/downloadlink)|(models\/instances)\/byids)$/;

/** The project segment (still URI-encoded) and the route of a path, or null when the fake serves no such path. */
export function routeOf(path: string): { project: string; route: RouteName | null } | null {
  const match = PATHS.exec(path);
  if (match === null) return null;
  const [, project = '', resource, links, instances] = match;
  const route = links === undefined ? (instances === undefined ? (resource !== undefined && isResourceName(resource) ? resource : null) : 'models/instances') : 'files/downloadlink';
  return { project, route };
}
