import type { CanonicalKey, SharedCacheInvalidation, SharedCacheScope } from 'cdf-loader';

/*
 * What the channels carry. Both are open to every client of the Redis server, so a message that
 * is not ours is ignored, never a reason to fail.
 *
 *   <keyPrefix>invalidations    every instance: `SharedCacheInvalidation`s, as JSON
 *   <keyPrefix>stored:<owner>   one instance: answers it waited for, stored now (see `storeScript`)
 */

/** Answers an instance waited for, stored now: their scope, keys and the answers themselves. */
export interface StoredMessage {
  scope: SharedCacheScope;
  keys: CanonicalKey[];
  /** Per key: the item, `null` ("not found"), or `undefined` where the message holds no object for it. */
  items: (object | null | undefined)[] | undefined;
}

/** An invalidation as published (the JSON of a `SharedCacheInvalidation`), or `undefined` for anything else. */
export function parseInvalidation(message: string): SharedCacheInvalidation | undefined {
  const value = parseObject(message);
  if (value === undefined) return undefined;
  const { scope, keys, origin } = value;
  if (typeof origin !== 'string' || !isScope(scope)) return undefined;
  if (keys !== 'all' && !(Array.isArray(keys) && keys.every((key) => typeof key === 'number' || typeof key === 'string'))) {
    return undefined;
  }
  return { scope: { project: scope.project, resource: scope.resource, principal: scope.principal }, keys, origin };
}

/** The start of a stored message (see `storeScript`): the store script appends the keys, the items and `}`. */
export function storedMessageHead(scope: SharedCacheScope): string {
  return `{"stored":${JSON.stringify({ project: scope.project, resource: scope.resource, principal: scope.principal })},"keys":`;
}

/**
 * A stored message, or `undefined` for anything else. Key parts come back as strings; an id is all
 * digits (the string kinds start with a letter). Items that are not a list as long as the keys are
 * left out: the keys are then read, as without them.
 */
export function parseStored(message: string): StoredMessage | undefined {
  const value = parseObject(message);
  if (value === undefined) return undefined;
  const { stored, keys, items } = value;
  if (!isScope(stored) || !Array.isArray(keys) || !keys.every((key) => typeof key === 'string')) return undefined;
  return {
    scope: { project: stored.project, resource: stored.resource, principal: stored.principal },
    keys: (keys as string[]).map((key) => (/^\d+$/.test(key) ? Number(key) : key)),
    items: Array.isArray(items) && items.length === keys.length ? items.map(itemOf) : undefined,
  };
}

function itemOf(value: unknown): object | null | undefined {
  if (value === null) return null;
  return typeof value === 'object' && !Array.isArray(value) ? value : undefined;
}

function isScope(value: unknown): value is { project: string; resource: string; principal: string } {
  if (typeof value !== 'object' || value === null) return false;
  const { project, resource, principal } = value as Record<string, unknown>;
  return typeof project === 'string' && typeof resource === 'string' && typeof principal === 'string';
}

/** A message's JSON object, or `undefined` for anything else. */
function parseObject(message: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(message);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
