import type { SharedCacheInvalidation } from 'cdf-loader';

/**
 * An invalidation as published on the channel (the JSON of a `SharedCacheInvalidation`), or
 * `undefined` for anything else: the channel is open to every client of the Redis server, and a
 * message that is not ours is not a reason to fail.
 */
export function parseInvalidation(message: string): SharedCacheInvalidation | undefined {
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { scope, keys, origin } = value as Record<string, unknown>;
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
