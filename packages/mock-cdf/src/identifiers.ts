import type { InstanceId } from './items.js';

/** One byids identifier, exactly as a request item names a resource. */
export type Identifier = { id: number } | { externalId: string } | { instanceId: InstanceId };

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A key for an instance id; NUL (allowed in neither a space nor an instance externalId) separates the parts, so keys never collide. */
export function instanceKeyOf(value: unknown): string | undefined {
  if (!isRecord(value) || typeof value.space !== 'string' || typeof value.externalId !== 'string') return undefined;
  return `${value.space}\u0000${value.externalId}`;
}

/** A canonical string key for an identifier-shaped value, distinct across kinds; undefined if it is not one. */
export function identifierKey(value: unknown): string | undefined {
  if (!isRecord(value)) return undefined;
  const { id, externalId, instanceId } = value;
  if (typeof id === 'number') return `i:${id}`;
  if (typeof externalId === 'string') return `e:${externalId}`;
  const instanceKey = instanceKeyOf(instanceId);
  return instanceKey === undefined ? undefined : `n:${instanceKey}`;
}
