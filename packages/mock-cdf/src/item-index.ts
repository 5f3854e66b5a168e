import { instanceKeyOf, isRecord } from './identifiers.js';

/** Lookups of one resource's items by any of their identifiers. */
export interface ItemIndex {
  /** The item an identifier-shaped value names, or undefined. */
  find(identifier: unknown): Record<string, unknown> | undefined;
}

/** O(1) lookups by id, externalId and instanceId; the first item wins if two share an identifier. */
export function indexItems(items: readonly object[]): ItemIndex {
  const byId = new Map<number, Record<string, unknown>>();
  const byExternalId = new Map<string, Record<string, unknown>>();
  const byInstanceId = new Map<string, Record<string, unknown>>();
  // Backwards, so that the first of two items sharing an identifier is the one kept.
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i] as Record<string, unknown>;
    const { id, externalId, instanceId } = item;
    if (typeof id === 'number') byId.set(id, item);
    if (typeof externalId === 'string') byExternalId.set(externalId, item);
    const instanceKey = instanceKeyOf(instanceId);
    if (instanceKey !== undefined) byInstanceId.set(instanceKey, item);
  }
  return {
    find(identifier) {
      if (!isRecord(identifier)) return undefined;
      const { id, externalId, instanceId } = identifier;
      if (typeof id === 'number') return byId.get(id);
      if (typeof externalId === 'string') return byExternalId.get(externalId);
      const instanceKey = instanceKeyOf(instanceId);
      return instanceKey === undefined ? undefined : byInstanceId.get(instanceKey);
    },
  };
}
