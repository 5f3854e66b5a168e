import type { CanonicalKey, SharedCacheInvalidation, SharedCacheScope } from 'cdf-loader';

/** What the channel carries: answers other replicas waited for, stored now, or an invalidation. */
export type ChannelMessage =
  | { stored: { scope: SharedCacheScope; keys: CanonicalKey[] }; invalidation?: undefined }
  | { stored?: undefined; invalidation: SharedCacheInvalidation };

/**
 * A message of the channel, parsed once, or `undefined` for anything else: the channel is open to
 * every client of the Redis server, and a message that is not ours is not a reason to fail.
 */
export function parseChannelMessage(message: string): ChannelMessage | undefined {
  const value = parseObject(message);
  if (value === undefined) return undefined;
  if ('stored' in value) {
    const stored = storedOf(value);
    return stored === undefined ? undefined : { stored };
  }
  const invalidation = invalidationOf(value);
  return invalidation === undefined ? undefined : { invalidation };
}

/** An invalidation as published (the JSON of a `SharedCacheInvalidation`). */
function invalidationOf(value: Record<string, unknown>): SharedCacheInvalidation | undefined {
  const { scope, keys, origin } = value;
  if (typeof origin !== 'string' || !isScope(scope)) return undefined;
  if (keys !== 'all' && !(Array.isArray(keys) && keys.every((key) => typeof key === 'number' || typeof key === 'string'))) {
    return undefined;
  }
  return { scope: { project: scope.project, resource: scope.resource, principal: scope.principal }, keys, origin };
}

function isScope(value: unknown): value is { project: string; resource: string; principal: string } {
  if (typeof value !== 'object' || value === null) return false;
  const { project, resource, principal } = value as Record<string, unknown>;
  return typeof project === 'string' && typeof resource === 'string' && typeof principal === 'string';
}

/** The start of a stored message (see `storeScript`): the store script appends the keys and `}`. */
export function storedMessageHead(scope: SharedCacheScope): string {
  return `{"stored":${JSON.stringify({ project: scope.project, resource: scope.resource, principal: scope.principal })},"keys":`;
}

/**
 * Answers other replicas waited for, stored now: their scope and canonical keys. Key parts come
 * back as strings; an id is all digits (the string kinds start with a letter).
 */
function storedOf(value: Record<string, unknown>): { scope: SharedCacheScope; keys: CanonicalKey[] } | undefined {
  const { stored, keys } = value;
  if (!isScope(stored) || !Array.isArray(keys) || !keys.every((key) => typeof key === 'string')) return undefined;
  const scope = { project: stored.project, resource: stored.resource, principal: stored.principal };
  return { scope, keys: (keys as string[]).map((key) => (/^\d+$/.test(key) ? Number(key) : key)) };
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
