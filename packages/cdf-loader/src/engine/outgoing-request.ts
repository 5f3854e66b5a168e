/**
 * The engine's side of its contract with the sender: one request as the engine hands it
 * out. The sender implements `SendRequest`; the engine imports neither the sender nor HTTP.
 */
import type { Lane } from '../options/options.js';

export type { Lane };

/**
 * One request as the engine hands it to the sender. The engine keeps the keys; the sender
 * asks it, at each attempt, which identifiers are still wanted, and hands it each answer inside
 * the concurrency slot, so the next request sent already knows which keys are answered.
 */
export interface OutgoingRequest {
  /** Aborts when every caller gave up, or the loader closed. */
  readonly signal: AbortSignal;
  /** Who it serves (see `Lane`); read when a slot is granted. */
  lane(): Lane;
  /** Identifiers still wanted, for the attempt about to be sent; none ends the request. */
  identifiers(): readonly object[];
  /** Whether any key is still waiting (another request may have answered them all). */
  wanted(): boolean;
  /** The items of a successful attempt, whose exchange started at `sentAt` (epoch ms). */
  answer(items: readonly unknown[], sentAt: number): void;
  /**
   * For endpoints that refuse a request naming an unknown identifier (400 with `missing`): those
   * keys are not found. Returns whether any key of the request was among them (then the rest is
   * sent again at once); absent where CDF skips unknown identifiers itself.
   */
  notFound?(missing: readonly unknown[]): boolean;
  /**
   * CDF answered `duplicated` (`error` carries the list): leaves the identifiers it names out of
   * the next attempt, to be answered by its items. Returns whether a resend is worth it (it names
   * a key still sent, and leaves others).
   */
  withdraw(duplicated: readonly unknown[], error: Error): boolean;
  /**
   * Once the first attempt holds its slots, what the replicas know: a last look in the shared
   * cache tier (another replica may have fetched these keys while this request waited for the
   * budget), then claims on the keys left, so keys another replica is fetching now are waited
   * for rather than fetched twice.
   */
  shareWithReplicas?(): Promise<void>;
}

/**
 * Sends a request until it is answered or fails for good. Resolves with the error its keys
 * reject with, or `undefined` when it was answered (or nothing was left to ask); rejects only
 * with the signal's reason.
 */
export type SendRequest = (request: OutgoingRequest) => Promise<Error | undefined>;
