import { describeValue } from '../options/describe-value.js';
import { InvalidIdentifierError } from '../errors/invalid-identifier-error.js';

/** A CDF internal id: a safe integer from 1 to 2^53−1. */
export interface InternalId {
  id: number;
  externalId?: never;
  instanceId?: never;
}

/** A CDF external id: a non-empty string of at most 255 characters. */
export interface ExternalId {
  externalId: string;
  id?: never;
  instanceId?: never;
}

/** A data-modeling node id. */
export interface InstanceId {
  /** Matches `^[a-zA-Z][a-zA-Z0-9_-]{0,41}[a-zA-Z0-9]?$`. */
  space: string;
  /** 1..256 characters, no NUL. */
  externalId: string;
}

/** A reference by data-modeling node id (files and time series). */
export interface InstanceReference {
  instanceId: InstanceId;
  id?: never;
  externalId?: never;
}

/** What assets, events and sequences accept. */
export type IdEither = InternalId | ExternalId;

/** What files and time series accept. */
export type Identifier = InternalId | ExternalId | InstanceReference;

/** The three ways CDF names an item. */
export type IdentifierKind = 'id' | 'externalId' | 'instanceId';

const MAX_ID = Number.MAX_SAFE_INTEGER;
const MAX_EXTERNAL_ID_LENGTH = 255;
const MAX_INSTANCE_EXTERNAL_ID_LENGTH = 256;
const SPACE_PATTERN = /^[a-zA-Z][a-zA-Z0-9_-]{0,41}[a-zA-Z0-9]?$/;

/**
 * The one key of an identifier in the loader's maps and cache. An id is its own key: a number,
 * which Maps never confuse with a string, and far cheaper than building `"i" + id` on every
 * load. The string kinds carry a prefix, so they never collide with each other ({externalId: 'x'}
 * is `ex`); a space cannot contain `:`, so `n<space>:<externalId>` splits unambiguously whatever
 * the node's externalId holds.
 */
export type CanonicalKey = number | string;

const EXTERNAL_ID_PREFIX = 'e';
const INSTANCE_PREFIX = 'n';

/**
 * Validates an identifier against CDF's limits and the kinds a resource accepts, and returns
 * its canonical key.
 * @throws {InvalidIdentifierError} naming the field, the rule and the value.
 */
export function identifierKey(identifier: unknown, kinds: ReadonlySet<IdentifierKind>): CanonicalKey {
  // The common case first: a plain `{ id }`, checked without the general walk below.
  const id = (identifier as { id?: unknown } | null | undefined)?.id;
  if (typeof id === 'number' && Number.isSafeInteger(id) && id >= 1 && hasOneKey(identifier as object) && kinds.has('id')) {
    return id;
  }
  if (typeof identifier !== 'object' || identifier === null || Array.isArray(identifier)) {
    throw invalid(identifier, `expected an object with exactly one of ${listKinds(kinds)}`);
  }
  let kind: IdentifierKind | undefined;
  for (const key in identifier) {
    if (!isKind(key)) throw invalid(identifier, `unknown key \`${key}\`; allowed: ${listKinds(kinds)}`);
    if (kind !== undefined) throw invalid(identifier, `has both \`${kind}\` and \`${key}\`; give exactly one`);
    kind = key;
  }
  if (kind === undefined) throw invalid(identifier, `expected exactly one of ${listKinds(kinds)}`);
  if (!kinds.has(kind)) throw invalid(identifier, `\`${kind}\` is not accepted here; allowed: ${listKinds(kinds)}`);

  const record = identifier as Record<IdentifierKind, unknown>;
  const problem =
    kind === 'id' ? idProblem(record.id) : kind === 'externalId' ? externalIdProblem(record.externalId) : instanceIdProblem(record.instanceId);
  if (problem !== undefined) throw invalid(identifier, problem);
  if (kind === 'id') return record.id as number;
  if (kind === 'externalId') return EXTERNAL_ID_PREFIX + (record.externalId as string);
  const instance = record.instanceId as InstanceId;
  return INSTANCE_PREFIX + instance.space + ':' + instance.externalId;
}

/**
 * A fresh plain copy of an identifier `identifierKey` has just accepted, to send to CDF: what is
 * sent is what was checked, whatever the caller later does to the object it passed.
 */
export function copyIdentifier(identifier: Identifier): Identifier {
  if (identifier.id !== undefined) return { id: identifier.id };
  if (identifier.externalId !== undefined) return { externalId: identifier.externalId };
  const { space, externalId } = identifier.instanceId;
  return { instanceId: { space, externalId } };
}

/** The resources by path, for `parseIdentifier(value, 'files')`. */
type ResourcePath = 'files' | 'timeseries' | 'assets' | 'events' | 'sequences';
const KINDS_OF: Record<ResourcePath, ReadonlySet<IdentifierKind>> = {
  files: new Set(['id', 'externalId', 'instanceId']),
  timeseries: new Set(['id', 'externalId', 'instanceId']),
  assets: new Set(['id', 'externalId']),
  events: new Set(['id', 'externalId']),
  sequences: new Set(['id', 'externalId']),
};

/**
 * Turns untrusted input (a query string, GraphQL arguments, a CSV cell parsed as JSON) into a
 * typed identifier, with the same rules and messages as `load`. Returns a fresh plain object, so
 * nothing else the input carried comes along.
 * @param resource A resource path (`'files'`, `'assets'`, …) or a `Resource`: only the identifier
 *   kinds CDF accepts for it pass. Without it, any of `id`, `externalId` and `instanceId` does.
 * @throws {InvalidIdentifierError} naming the field, the rule and the value.
 * @example parseIdentifier({ id: Number(req.params.id) }) // NaN → InvalidIdentifierError, never a request
 */
export function parseIdentifier(value: unknown, resource?: 'files' | 'timeseries'): Identifier;
export function parseIdentifier(value: unknown, resource: 'assets' | 'events' | 'sequences'): IdEither;
export function parseIdentifier<TIdentifier>(value: unknown, resource: { kinds: ReadonlySet<IdentifierKind>; types?: { identifier: TIdentifier } }): TIdentifier;
export function parseIdentifier(value: unknown, resource?: ResourcePath | { kinds: ReadonlySet<IdentifierKind> }): Identifier {
  let kinds: ReadonlySet<IdentifierKind> | undefined;
  if (resource === undefined) kinds = KINDS_OF.files;
  else if (typeof resource === 'string') kinds = Object.hasOwn(KINDS_OF, resource) ? KINDS_OF[resource] : undefined;
  else if (typeof resource === 'object' && resource !== null && resource.kinds instanceof Set) kinds = resource.kinds;
  if (kinds === undefined) {
    throw new TypeError(
      `\`resource\` must be one of ${Object.keys(KINDS_OF).map((path) => `'${path}'`).join(', ')} or a \`Resource\`, got ${describeValue(resource)}.`,
    );
  }
  identifierKey(value, kinds);
  return copyIdentifier(value as Identifier);
}

/**
 * The canonical keys of every identifier an item carries (its id first, then its externalId and
 * instanceId), for storing and matching one item under all the names a caller may have used.
 * An item that breaks the identifier rules answers no key: the reason, as a string, instead.
 */
export function itemKeys(item: unknown): CanonicalKey[] | string {
  return itemProblem(item) ?? keysCarried(item as CarriedIdentifiers);
}

/**
 * `itemKeys` when nothing can want the item by name: its id alone, with no string key built
 * (nothing to cache it under, no load waiting by externalId or instanceId); or why it answers
 * none, by the same rules.
 */
export function itemIdKey(item: unknown): CanonicalKey[] | string {
  return itemProblem(item) ?? [(item as InternalId).id];
}

/**
 * The keys of the identifiers an answer item carries when none of them is required on its own (a
 * download link carries only the identifier it was asked by), or why it answers none.
 */
export function carriedKeys(item: unknown): CanonicalKey[] | string {
  return carriedProblem(item) ?? keysCarried(item as CarriedIdentifiers);
}

/** The identifiers an answer item may carry, checked. */
interface CarriedIdentifiers {
  id?: number;
  externalId?: string;
  instanceId?: InstanceId;
}

/** Why an answer item of a byids endpoint answers no key (not an object, no valid id, a bad identifier), or `undefined`. */
function itemProblem(item: unknown): string | undefined {
  return objectProblem(item) ?? idProblem((item as { id?: unknown }).id) ?? aliasProblem(item as Record<string, unknown>);
}

function carriedProblem(item: unknown): string | undefined {
  const problem = objectProblem(item);
  if (problem !== undefined) return problem;
  const { id, externalId, instanceId } = item as Record<string, unknown>;
  if (id === undefined && externalId === undefined && instanceId === undefined) return 'an item must carry `id`, `externalId` or `instanceId`';
  return (id === undefined ? undefined : idProblem(id)) ?? aliasProblem(item as Record<string, unknown>);
}

/** What is wrong with an object item's `externalId` or `instanceId`, when it carries them. */
function aliasProblem({ externalId, instanceId }: Record<string, unknown>): string | undefined {
  return (externalId === undefined ? undefined : externalIdProblem(externalId)) ?? (instanceId === undefined ? undefined : instanceIdProblem(instanceId));
}

function objectProblem(item: unknown): string | undefined {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return `an item must be an object, got ${describeValue(item)}`;
  return undefined;
}

function keysCarried({ id, externalId, instanceId }: CarriedIdentifiers): CanonicalKey[] {
  const keys: CanonicalKey[] = [];
  if (id !== undefined) keys.push(id);
  if (externalId !== undefined) keys.push(EXTERNAL_ID_PREFIX + externalId);
  if (instanceId !== undefined) keys.push(INSTANCE_PREFIX + instanceId.space + ':' + instanceId.externalId);
  return keys;
}

function idProblem(id: unknown): string | undefined {
  if (typeof id === 'number' && Number.isInteger(id) && id >= 1 && id <= MAX_ID) return undefined;
  return `\`id\` must be an integer from 1 to ${MAX_ID}, got ${describeValue(id)}`;
}

function externalIdProblem(externalId: unknown): string | undefined {
  if (typeof externalId === 'string' && externalId.length > 0 && externalId.length <= MAX_EXTERNAL_ID_LENGTH) return undefined;
  return `\`externalId\` must be a string of 1 to ${MAX_EXTERNAL_ID_LENGTH} characters, got ${describeLength(externalId)}`;
}

function instanceIdProblem(instanceId: unknown): string | undefined {
  if (typeof instanceId !== 'object' || instanceId === null || Array.isArray(instanceId)) {
    return `\`instanceId\` must be an object with \`space\` and \`externalId\`, got ${describeValue(instanceId)}`;
  }
  for (const key in instanceId) {
    if (key !== 'space' && key !== 'externalId') return `unknown key \`instanceId.${key}\`; allowed: \`space\`, \`externalId\``;
  }
  const { space, externalId } = instanceId as Record<string, unknown>;
  return spaceProblem(space, 'instanceId.space') ?? instanceExternalIdProblem(externalId, 'instanceId.externalId');
}

/** Why `space` is not a data-modeling space name, or `undefined`; `field` names it in the message. */
export function spaceProblem(space: unknown, field: string): string | undefined {
  if (typeof space === 'string' && SPACE_PATTERN.test(space)) return undefined;
  return `\`${field}\` must match ${SPACE_PATTERN.source}, got ${describeValue(space)}`;
}

/** Why `externalId` is not a data-modeling instance's externalId (1..256 characters, no NUL), or `undefined`. */
export function instanceExternalIdProblem(externalId: unknown, field: string): string | undefined {
  if (
    typeof externalId === 'string' &&
    externalId.length > 0 &&
    externalId.length <= MAX_INSTANCE_EXTERNAL_ID_LENGTH &&
    !externalId.includes('\0')
  ) {
    return undefined;
  }
  return `\`${field}\` must be a string of 1 to ${MAX_INSTANCE_EXTERNAL_ID_LENGTH} characters without NUL, got ${describeLength(externalId)}`;
}

function hasOneKey(object: object): boolean {
  let count = 0;
  for (const _ in object) count++;
  return count === 1;
}

function isKind(key: string): key is IdentifierKind {
  return key === 'id' || key === 'externalId' || key === 'instanceId';
}

function listKinds(kinds: ReadonlySet<IdentifierKind>): string {
  return [...kinds].map((kind) => `\`${kind}\``).join(', ');
}

/** Strings are described with their length, since an over-long one is truncated in the message. */
function describeLength(value: unknown): string {
  return typeof value === 'string' ? `${describeValue(value)} (${value.length} characters)` : describeValue(value);
}

/** The error for an identifier that breaks `rule`: it names the field, the rule and the value. */
export function invalid(identifier: unknown, rule: string): InvalidIdentifierError {
  return new InvalidIdentifierError(`Invalid identifier ${describeValue(identifier)}: ${rule}.`, identifier);
}
