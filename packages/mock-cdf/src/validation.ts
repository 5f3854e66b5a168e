import { identifierKey, isRecord, type Identifier } from './identifiers.js';
import { RESOURCES, type IdentifierKind, type ResourceName } from './resources.js';

/** CDF's error body. */
export interface CdfErrorBody {
  error: { code: number; message: string; missing?: unknown[]; duplicated?: unknown[] };
}

export function cdfError(code: number, message: string, extra: { missing?: unknown[]; duplicated?: unknown[] } = {}): CdfErrorBody {
  return { error: { code, message, ...extra } };
}

/** A byids request that passed validation. */
export interface ByIdsRequest {
  items: Identifier[];
  ignoreUnknownIds: boolean;
}

export type Validated = { ok: true; request: ByIdsRequest } | { ok: false; status: number; body: CdfErrorBody };

const MAX_ITEMS = 1000;
const SPACE_PATTERN = /^[a-zA-Z][a-zA-Z0-9_-]{0,41}[a-zA-Z0-9]?$/;
const AGGREGATED_PROPERTIES = ['childCount', 'path', 'depth'];
const BASE_FIELDS = ['items', 'ignoreUnknownIds'];

/** Parses a request body as JSON; undefined if it is not JSON. */
export function parseJson(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return undefined;
  }
}

export function badRequest(message: string): { ok: false; status: number; body: CdfErrorBody } {
  return { ok: false, status: 400, body: cdfError(400, message) };
}

export function violationsMessage(violations: string[]): string {
  return `Request had ${violations.length} constraint violations. Please fix the request and try again. [${violations.join(', ')}]`;
}

export function checkInstanceId(value: unknown, at: string, violations: string[]): void {
  if (!isRecord(value)) {
    violations.push(`${at} must be an object with space and externalId`);
    return;
  }
  for (const key of Object.keys(value)) {
    if (key !== 'space' && key !== 'externalId') violations.push(`${at}.${key} is not a recognized field`);
  }
  if (typeof value.space !== 'string' || !SPACE_PATTERN.test(value.space)) {
    violations.push(`${at}.space must match ${SPACE_PATTERN.source}`);
  }
  const externalId = value.externalId;
  if (typeof externalId !== 'string' || externalId.length < 1 || externalId.length > 256 || externalId.includes('\u0000')) {
    violations.push(`${at}.externalId must be a string of 1 to 256 characters without NUL`);
  }
}

export function checkItem(item: unknown, at: string, kinds: readonly IdentifierKind[], violations: string[]): void {
  if (!isRecord(item)) {
    violations.push(`${at} must be an object`);
    return;
  }
  const keys = Object.keys(item);
  for (const key of keys) {
    if (!(kinds as readonly string[]).includes(key)) violations.push(`${at}.${key} is not a recognized field`);
  }
  const present = kinds.filter((kind) => keys.includes(kind));
  const [kind] = present;
  if (present.length !== 1 || kind === undefined) {
    violations.push(`${at} must have exactly one of ${kinds.join(', ')}`);
    return;
  }
  const value = item[kind];
  if (kind === 'id') {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
      violations.push(`${at}.id must be an integer between 1 and ${Number.MAX_SAFE_INTEGER}`);
    }
  } else if (kind === 'externalId') {
    if (typeof value !== 'string' || value.length < 1 || value.length > 255) {
      violations.push(`${at}.externalId must be a string of 1 to 255 characters`);
    }
  } else {
    checkInstanceId(value, `${at}.instanceId`, violations);
  }
}

/** Validates a parsed byids body as CDF does: 400 (or 422 for time series duplicates) with CDF's error body. */
export function validateRequest(resource: ResourceName, body: unknown): Validated {
  if (!isRecord(body)) return badRequest('Request body must be a JSON object');
  const spec = RESOURCES[resource];
  const violations: string[] = [];
  for (const key of Object.keys(body)) {
    if (!BASE_FIELDS.includes(key) && !spec.extraFields.includes(key)) violations.push(`${key} is not a recognized field`);
  }
  const { items, ignoreUnknownIds, aggregatedProperties } = body;
  checkItems(items, MAX_ITEMS, violations, (item, at) => checkItem(item, at, spec.kinds, violations));
  if (ignoreUnknownIds !== undefined && typeof ignoreUnknownIds !== 'boolean') violations.push('ignoreUnknownIds must be a boolean');
  if (
    aggregatedProperties !== undefined &&
    (!Array.isArray(aggregatedProperties) || !aggregatedProperties.every((p) => AGGREGATED_PROPERTIES.includes(p as string)))
  ) {
    violations.push(`aggregatedProperties must be an array of ${AGGREGATED_PROPERTIES.join(', ')}`);
  }
  if (violations.length > 0) return badRequest(violationsMessage(violations));

  const identifiers = items as Identifier[];
  const duplicated = duplicatesOf(identifiers, (identifier) => identifierKey(identifier) as string);
  if (duplicated.length > 0) {
    return { ok: false, status: spec.duplicateStatus, body: cdfError(spec.duplicateStatus, `${spec.title} ids duplicated`, { duplicated }) };
  }
  return { ok: true, request: { items: identifiers, ignoreUnknownIds: ignoreUnknownIds === true } };
}

/** Checks `items` is an array of 1..`max` entries, and each entry with `checkEntry`; violations as CDF words them. */
export function checkItems(items: unknown, max: number, violations: string[], checkEntry: (item: unknown, at: string) => void): void {
  if (items === undefined || items === null) violations.push('items must not be null');
  else if (!Array.isArray(items)) violations.push('items must be an array');
  else if (items.length < 1 || items.length > max) violations.push(`items size must be between 1 and ${max}`);
  else items.forEach((item, index) => checkEntry(item, `items[${index}]`));
}

/** Each entry named more than once (by `keyOf`), once, as first given. */
export function duplicatesOf<T>(entries: readonly T[], keyOf: (entry: T) => string): T[] {
  const seen = new Set<string>();
  const duplicated = new Map<string, T>();
  for (const entry of entries) {
    const key = keyOf(entry);
    if (seen.has(key) && !duplicated.has(key)) duplicated.set(key, entry);
    seen.add(key);
  }
  return [...duplicated.values()];
}
