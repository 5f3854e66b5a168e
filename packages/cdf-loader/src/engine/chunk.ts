/**
 * The engine's unit of work: the keys of one byids request, from the first key queued until its
 * answer is fanned out. Owns only the chunk's own state; the queue (engine.ts) decides when it
 * is sent, the key table (pending-keys.ts) when its keys settle.
 */
import { AsyncResource } from 'node:async_hooks';
import type { CanonicalKey } from '../identifiers/identifiers.js';
import type { Lane } from './outgoing-request.js';
import type { PendingLoad } from './pending-load.js';

/** The keys of one byids request. It takes keys until it is sent. */
export class Chunk<TItem> {
  readonly loads = new Map<CanonicalKey, Pending<TItem>>();
  /**
   * Who it serves. A background chunk is held until it is full or `loadAll` lets it go (the input
   * ended, stalled or reached its read-ahead), so bulk requests go out full.
   */
  readonly lane: Lane;
  held: boolean;
  /** `collecting`: not yet handed to the sender; `queued`: waiting for a slot; `sent`: closed. */
  state: 'collecting' | 'queued' | 'sent' = 'collecting';
  readonly abort = new AbortController();
  /** The invalidation stamp when its latest attempt (or shared lookup) started; see `Invalidations`. */
  sentAt = 0;
  /**
   * Keys CDF called `duplicated` (see `withdrawDuplicated`): kept out of its attempts, answered by
   * the items of the resend; those no item named reject with `error`, the `duplicated` answer.
   */
  withdrawn: { keys: Set<CanonicalKey>; error: Error } | undefined;
  /** The async context of the load that opened it, where its request runs (for tracing). */
  readonly context = new AsyncResource('cdf-loader.request');

  constructor(lane: Lane) {
    this.lane = lane;
    this.held = lane === 'background';
  }
}

/** A key waiting in one of an engine's chunks. */
export type Pending<TItem> = PendingLoad<TItem, Chunk<TItem>>;

/** The chunk's keys not yet answered. */
export function unsettledOf<TItem>(chunk: Chunk<TItem>): Pending<TItem>[] {
  const loads: Pending<TItem>[] = [];
  for (const load of chunk.loads.values()) if (!load.settled) loads.push(load);
  return loads;
}

export function hasUnsettled<TItem>(chunk: Chunk<TItem>): boolean {
  for (const load of chunk.loads.values()) if (!load.settled) return true;
  return false;
}

/**
 * The chunk's unsettled loads that identifiers CDF listed (`missing`, `duplicated`) name, keyed
 * as the resource keys them; an identifier that is not one of ours is CDF's business, skipped.
 */
export function unsettledNamed<TItem>(chunk: Chunk<TItem>, identifiers: readonly unknown[], keyOf: (identifier: unknown) => CanonicalKey): Pending<TItem>[] {
  const named: Pending<TItem>[] = [];
  for (const identifier of identifiers) {
    let pending: Pending<TItem> | undefined;
    try {
      pending = chunk.loads.get(keyOf(identifier));
    } catch {
      continue;
    }
    if (pending !== undefined && !pending.settled) named.push(pending);
  }
  return named;
}
