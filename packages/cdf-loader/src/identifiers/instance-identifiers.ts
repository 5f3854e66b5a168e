/**
 * Data-modeling instance references (`{ instanceType, space, externalId }`, what
 * `models/instances/byids` takes): the rules, their canonical keys and `parseInstanceIdentifier`.
 */
import { describeValue } from '../options/describe-value.js';
import { type CanonicalKey, instanceExternalIdProblem, invalid, spaceProblem } from './identifiers.js';

/** A node or an edge of a data model, by its space and externalId. */
export interface InstanceIdentifier {
  instanceType: 'node' | 'edge';
  /** Matches `^[a-zA-Z][a-zA-Z0-9_-]{0,41}[a-zA-Z0-9]?$`. */
  space: string;
  /** 1..256 characters, no NUL. */
  externalId: string;
}

/** A view whose properties an instance is read through. */
export interface ViewReference {
  type: 'view';
  /** The view's space. */
  space: string;
  externalId: string;
  version: string;
}

/** One entry of `sources`, as `models/instances/byids` takes it. */
export interface InstanceSource {
  source: ViewReference;
}

/** Most distinct views one `models/instances/byids` request's `sources` may name (CDF-API.md). */
export const MAX_SOURCES = 10;

// A space cannot hold `:`, so `<prefix><space>:<externalId>` splits one way only, and the prefix
// keeps a node and an edge of the same name apart.
const NODE_PREFIX = 'n';
const EDGE_PREFIX = 'g';
const ALLOWED = '`instanceType`, `space`, `externalId`';

/**
 * Checks an instance reference and returns its canonical key.
 * @throws {InvalidIdentifierError} naming the field, the rule and the value.
 */
export function instanceIdentifierKey(identifier: unknown): CanonicalKey {
  if (typeof identifier !== 'object' || identifier === null || Array.isArray(identifier)) {
    throw invalid(identifier, `expected an object with ${ALLOWED}`);
  }
  for (const key in identifier) {
    if (key !== 'instanceType' && key !== 'space' && key !== 'externalId') throw invalid(identifier, `unknown key \`${key}\`; allowed: ${ALLOWED}`);
  }
  const problem = instanceProblem(identifier as Record<string, unknown>);
  if (problem !== undefined) throw invalid(identifier, problem);
  return keyOf(identifier as InstanceIdentifier);
}

/** A fresh plain copy of a reference `instanceIdentifierKey` accepted: what is sent is what was checked. */
export function copyInstanceIdentifier(identifier: object): InstanceIdentifier {
  const { instanceType, space, externalId } = identifier as InstanceIdentifier;
  return { instanceType, space, externalId };
}

/**
 * Turns untrusted input (GraphQL arguments, a query string) into an instance reference, with the
 * same rules and messages as `instances.load`. Returns a fresh plain object.
 * @throws {InvalidIdentifierError} naming the field, the rule and the value.
 * @example parseInstanceIdentifier({ instanceType: 'node', space: args.space, externalId: args.externalId })
 */
export function parseInstanceIdentifier(value: unknown): InstanceIdentifier {
  instanceIdentifierKey(value);
  return copyInstanceIdentifier(value as object);
}

/**
 * The key an instance CDF sent answers (instances have one name only), or why it answers none.
 * Other fields (properties, version) are CDF's business and not checked here.
 */
export function instanceItemKeys(item: unknown): CanonicalKey[] | string {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return `an instance must be an object, got ${describeValue(item)}`;
  const problem = instanceProblem(item as Record<string, unknown>);
  return problem === undefined ? [keyOf(item as InstanceIdentifier)] : problem;
}

function instanceProblem(record: Record<string, unknown>): string | undefined {
  const { instanceType } = record;
  if (instanceType !== 'node' && instanceType !== 'edge') return `\`instanceType\` must be 'node' or 'edge', got ${describeValue(instanceType)}`;
  return spaceProblem(record.space, 'space') ?? instanceExternalIdProblem(record.externalId, 'externalId');
}

function keyOf({ instanceType, space, externalId }: InstanceIdentifier): string {
  return (instanceType === 'node' ? NODE_PREFIX : EDGE_PREFIX) + space + ':' + externalId;
}
