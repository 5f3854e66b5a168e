/**
 * Data-modeling instances (`POST models/instances/byids`): the node and edge types and the
 * endpoint's rules.
 */
import { createHash } from 'node:crypto';
import { copyInstanceIdentifier, type InstanceIdentifier, type InstanceSource, instanceIdentifierKey, instanceItemKeys } from '../identifiers/instance-identifiers.js';
import type { Endpoint } from './endpoint.js';
import type { EpochMs, Resource } from './resources.js';

/** A reference to another instance or a type: `{ space, externalId }`. */
export interface DirectRelationReference {
  space: string;
  externalId: string;
}

/** Property values by space, then `<view externalId>/<version>`, then property name. */
export type InstanceProperties = Record<string, Record<string, Record<string, unknown>>>;

interface InstanceFields<TProperties> {
  space: string;
  externalId: string;
  version: number;
  createdTime: EpochMs;
  lastUpdatedTime: EpochMs;
  deletedTime?: EpochMs;
  /** The values of the views in the loader's `sources`; absent or `{}` without sources. */
  properties?: TProperties;
}

/** A node of a data model. */
export interface NodeInstance<TProperties = InstanceProperties> extends InstanceFields<TProperties> {
  instanceType: 'node';
  type?: DirectRelationReference;
}

/** An edge of a data model. */
export interface EdgeInstance<TProperties = InstanceProperties> extends InstanceFields<TProperties> {
  instanceType: 'edge';
  type: DirectRelationReference;
  startNode: DirectRelationReference;
  endNode: DirectRelationReference;
}

/** What `instances.load` answers: a node or an edge (tell them apart by `instanceType`). */
export type Instance<TProperties = InstanceProperties> = NodeInstance<TProperties> | EdgeInstance<TProperties>;

/** CDF's maximum for one `models/instances/byids` request (CDF-API.md, "More endpoints and limits"). */
export const MAX_INSTANCES_PER_REQUEST = 1000;

/**
 * The endpoint's rules for one loader: `sources` goes with every request. Unknown instances are
 * simply absent from CDF's answer, whatever the flags.
 */
export function instancesEndpoint(sources: readonly InstanceSource[] | undefined): Endpoint<Instance> {
  return {
    path: 'models/instances/byids',
    query: '',
    maxItems: MAX_INSTANCES_PER_REQUEST,
    body: sources === undefined ? (items) => JSON.stringify({ items }) : (items) => JSON.stringify({ items, sources }),
    badItem: (item) =>
      typeof item === 'object' && item !== null && typeof (item as { instanceType?: unknown }).instanceType === 'string'
        ? undefined
        : 'is not an instance with an `instanceType`',
    itemKeys: instanceItemKeys,
    identifierKey: instanceIdentifierKey,
    copyIdentifier: copyInstanceIdentifier,
    unknownIdsFail: false,
    // Read through other views, the same instance has other properties: other shared-tier entries.
    scope: sources === undefined ? 'models/instances' : `models/instances#${createHash('sha256').update(JSON.stringify(sources)).digest('base64url').slice(0, 16)}`,
  };
}

/** Instances read through `sources`, as a resource a loader reads. */
export function instancesResource(sources: readonly InstanceSource[] | undefined): Resource<Instance, InstanceIdentifier> {
  return { path: 'models/instances', kinds: new Set(), itemName: 'instance', endpoint: instancesEndpoint(sources) };
}
