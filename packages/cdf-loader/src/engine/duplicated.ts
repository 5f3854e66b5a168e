/**
 * CDF's `duplicated`: a 400 (422 for time series) saying the request named one thing twice, such
 * as a file by its id and by its externalId. The keys it lists leave the request (they stay in
 * the chunk), so the resend names each thing once and its items answer them by identity. Owns
 * only that choice; fan-out answers the withdrawn keys (or rejects those no item named).
 */
import type { CanonicalKey } from '../identifiers/identifiers.js';
import { type Chunk, unsettledNamed } from './chunk.js';

/**
 * Withdraws the chunk's unsettled keys that `duplicated` names from the next attempt. Returns
 * whether any was withdrawn; none is when it names no key of the chunk, or would leave nothing
 * to send (then nothing would answer them: the failure stands).
 */
export function withdrawDuplicated<TItem>(
  chunk: Chunk<TItem>,
  duplicated: readonly unknown[],
  keyOf: (identifier: unknown) => CanonicalKey,
  error: Error,
): boolean {
  const withdrawn = chunk.withdrawn?.keys;
  const keys = new Set<CanonicalKey>();
  for (const pending of unsettledNamed(chunk, duplicated, keyOf)) if (withdrawn?.has(pending.key) !== true) keys.add(pending.key);
  if (keys.size === 0) return false;
  let left = 0;
  for (const load of chunk.loads.values()) if (!load.settled && !keys.has(load.key) && withdrawn?.has(load.key) !== true) left++;
  if (left === 0) return false;
  if (withdrawn === undefined) chunk.withdrawn = { keys, error };
  else for (const key of keys) withdrawn.add(key);
  return true;
}
