import { sleep } from '../abortable.js';
import type { ConcurrencyLimit } from './concurrency-limit.js';
import type { LaneSlot } from './lane-queue.js';
import type { OutgoingRequest, SendRequest } from '../engine/outgoing-request.js';
import type { RetryOptions } from '../options/options.js';
import type { RequestRate } from './request-rate.js';
import { duplicatedOf, isRetryable, retryDelay } from './retry-policy.js';
import type { SharedConcurrency, SharedSlot } from '../shared/shared-concurrency.js';
import { CountedSlots } from '../shared/counted-slots.js';
import { SharedTierGuard } from '../shared/shared-tier-guard.js';
import type { Telemetry } from '../telemetry/telemetry.js';
import type { AttemptFailure, AttemptOutcome, RequestTarget, Transport } from '../transport/transport.js';

/** An attempt that gave its local slot to an interactive request before it began. */
const YIELDED = Symbol('yielded');

/** What a sender is built from: one per loader set, shared by its resources. */
export interface SenderParts {
  limit: ConcurrencyLimit;
  sharedConcurrency: SharedConcurrency | undefined;
  /** The turns of `requestRate` and `sharedRate`, when either is set. */
  rate: RequestRate | undefined;
  retry: Required<RetryOptions>;
  /** Made on the first request, so an idle loader costs no HTTP client. */
  transport: () => Transport;
}

/**
 * Attempts, retries and the concurrency they run under: each attempt takes a local slot, then a
 * slot of the shared budget when there is one, then its turn of the request rate when there is
 * one (every request sent takes a turn: retries and resends too), and gives both slots back when
 * it ends; a retry waits holding neither, for the delay the retry policy says. 429s teach the
 * adaptive limit.
 */
export class Sender {
  readonly #parts: SenderParts;
  readonly #sharedGuard = new SharedTierGuard('concurrency');
  readonly #fallback = new CountedSlots();
  #transport: Transport | undefined;

  constructor(parts: SenderParts) {
    this.#parts = parts;
  }

  /** The `SendRequest` of one resource's loader, whose requests go to `target`. */
  for(target: RequestTarget, telemetry: Telemetry): SendRequest {
    return (request) => this.#send(target, telemetry, request);
  }

  async #send(target: RequestTarget, telemetry: Telemetry, request: OutgoingRequest): Promise<Error | undefined> {
    const { limit, retry } = this.#parts;
    // Resends for `duplicated` are attempts, not retries: they spend none of `retry.limit`.
    let resends = 0;
    for (let attempt = 1; ; attempt++) {
      let failed;
      // A background attempt that gave its slot to an interactive request before it started goes again.
      do failed = await limit.run((slot) => this.#attempt(target, telemetry, request, attempt, slot), request.lane, request.signal);
      while (failed === YIELDED);
      if (failed === undefined || !request.wanted()) return undefined;
      const duplicated = duplicatedOf(failed.outcome);
      if (duplicated !== undefined && request.withdraw(duplicated, failed.outcome.error)) {
        resends++;
        continue;
      }
      if (!isRetryable(failed.outcome) || attempt - resends > retry.limit) return failed.outcome.error;
      const delayMs = retryDelay(retry, attempt, failed.outcome);
      telemetry.retry({ items: failed.items, attempt, status: failed.outcome.status, delayMs });
      await sleep(delayMs, request.signal);
      if (!request.wanted()) return undefined;
    }
  }

  /**
   * One attempt, in a slot. Returns the failure, or `undefined` when the request is done. Where
   * CDF refuses a request for its unknown identifiers, those are settled as not found and the
   * rest goes again in the same slot, as part of this attempt.
   */
  async #attempt(
    target: RequestTarget,
    telemetry: Telemetry,
    request: OutgoingRequest,
    attempt: number,
    slot: LaneSlot,
  ): Promise<{ outcome: AttemptFailure; items: number } | typeof YIELDED | undefined> {
    // Every caller may have given up while this waited for its slot.
    request.signal.throwIfAborted();
    const sharedSlot = await this.#acquireShared(request.signal, slot);
    if (sharedSlot === YIELDED) return YIELDED;
    try {
      // Without a rate, no await here: the chunk closes in the same turn as before.
      if (this.#parts.rate !== undefined && (await this.#turn(this.#parts.rate, request, slot)) === YIELDED) return YIELDED;
      if (attempt === 1 && request.shareWithReplicas !== undefined) await request.shareWithReplicas();
      for (let resend = false; ; resend = true) {
        const identifiers = request.identifiers();
        if (identifiers.length === 0) return undefined;
        // A resend is a request to CDF too: it waits for a turn of its own.
        if (resend) await this.#parts.rate?.turn(request.lane, request.signal);
        const { limit } = this.#parts;
        const generation = limit.generation;
        const outcome = await this.#transportOf().attempt(target, identifiers, request.signal, (exchange, startTime, durationMs) => {
          telemetry.request({
            items: identifiers.length,
            status: exchange.status,
            startTime,
            durationMs,
            attempt,
            requestId: exchange.requestId,
            error: exchange.ok ? undefined : exchange.error,
          });
        });
        if (outcome.ok) {
          limit.succeeded();
          request.answer(outcome.items, outcome.sentAt);
          return undefined;
        }
        if (outcome.status === 429) limit.throttled(generation);
        if (!this.#settledMissing(request, outcome)) return { outcome, items: identifiers.length };
      }
    } finally {
      sharedSlot?.release();
    }
  }

  /** A 400 naming unknown identifiers of the request, for an endpoint that answers them so: settled as not found. */
  #settledMissing(request: OutgoingRequest, outcome: AttemptOutcome): boolean {
    if (request.notFound === undefined || outcome.ok || outcome.status !== 400 || !('missing' in outcome.error)) return false;
    const { missing } = outcome.error;
    return missing !== undefined && missing.length > 0 && request.notFound(missing);
  }

  /**
   * A slot of the shared budget; when it cannot be reached, one of this replica's share of it
   * (`fallbackLimit`, see `CountedSlots`) under the local limit, and the budget is tried again
   * later (see `SharedTierGuard`). None when there is no budget.
   */
  async #acquireShared(signal: AbortSignal, local: LaneSlot): Promise<SharedSlot | typeof YIELDED | undefined> {
    const shared = this.#parts.sharedConcurrency;
    if (shared === undefined) return undefined;
    // While a background attempt waits for the budget, an interactive request may take its local
    // slot: it gives the slot up, and the budget (whose contract is to hold nothing for an
    // aborted acquire) hands its turn on, so lanes hold under the shared budget too.
    const yielding = local.lane === 'background';
    local.yieldable = yielding;
    const waitSignal = yielding ? AbortSignal.any([signal, local.yieldSignal]) : signal;
    try {
      if (this.#sharedGuard.usable) {
        try {
          // No `abortable` around it: a slot granted just as the signal aborts would be lost. The
          // budget's contract is to reject on abort and hold nothing.
          const slot = await shared.acquire(waitSignal);
          this.#sharedGuard.succeeded();
          return slot;
        } catch (error) {
          if (waitSignal.aborted) throw error;
          this.#sharedGuard.failed(error);
        }
      }
      return await this.#fallback.acquire(() => Math.max(1, shared.fallbackLimit ?? Number.POSITIVE_INFINITY), waitSignal);
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      if (local.yieldSignal.aborted) return YIELDED;
      throw error;
    } finally {
      local.yieldable = false;
    }
  }

  /**
   * Waits for the request's turn of the rate. A background request gives its
   * local slot up meanwhile when an interactive request needs it (as for the shared budget).
   */
  async #turn(rate: RequestRate, request: OutgoingRequest, local: LaneSlot): Promise<typeof YIELDED | undefined> {
    const yielding = local.lane === 'background';
    local.yieldable = yielding;
    try {
      await rate.turn(request.lane, yielding ? AbortSignal.any([request.signal, local.yieldSignal]) : request.signal);
      return undefined;
    } catch (error) {
      if (!request.signal.aborted && local.yieldSignal.aborted) return YIELDED;
      throw error;
    } finally {
      local.yieldable = false;
    }
  }

  #transportOf(): Transport {
    return (this.#transport ??= this.#parts.transport());
  }
}
