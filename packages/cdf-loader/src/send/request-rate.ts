/**
 * The turns at which requests may be sent under a request rate: the loader's own
 * (`requestRate`), the fleet's (`sharedRate`), or both. It owns the requests waiting for a turn
 * and the one timer that wakes them; it knows nothing of HTTP or concurrency slots (the sender
 * asks for a turn from inside its slot, just before each attempt is sent).
 *
 * Turns go to interactive requests before background (bulk) ones, but bulk is never starved:
 * while both wait, every `BULK_TURN_EVERY`th turn is bulk's.
 */
import type { Lane } from '../engine/outgoing-request.js';
import type { SharedRate } from '../shared/shared-rate.js';
import { firstInEachLane } from './first-in-lane.js';
import { SharedTierGuard } from '../shared/shared-tier-guard.js';

/** While both lanes wait, one turn in this many goes to a background request. */
export const BULK_TURN_EVERY = 4;

interface Waiter {
  lane: () => Lane;
  grant: () => void;
}

/** Reservations of the shared rate are not tied to a request (see `#topUp`), so none is aborted. */
const NEVER_ABORTED = new AbortController().signal;

export class RequestRate {
  /** Milliseconds between two requests of this loader (`1000 / requestRate.perSecond`). */
  readonly #intervalMs: number;
  readonly #shared: SharedRate | undefined;
  readonly #guard = new SharedTierGuard('rate');
  readonly #waiting: Waiter[] = [];
  /** Turns the shared rate reserved, as times (`performance.now()`), earliest first. */
  readonly #turns: number[] = [];
  /** Reservations asked of the shared rate and not answered yet. */
  #reserving = 0;
  /** When this loader last sent, for its own rate. */
  #lastTurnAt = Number.NEGATIVE_INFINITY;
  /** When this loader last sent without the shared rate, for its fallback share. */
  #lastFallbackAt = Number.NEGATIVE_INFINITY;
  /** Turns given to interactive requests in a row while a background one waited. */
  #interactiveInARow = 0;
  #timer: NodeJS.Timeout | undefined;

  /**
   * @param perSecond The loader's own rate (`requestRate.perSecond`), or none.
   * @param shared The fleet's rate (`sharedRate`), or none.
   */
  constructor(perSecond: number | undefined, shared: SharedRate | undefined) {
    this.#intervalMs = perSecond === undefined ? 0 : 1000 / perSecond;
    this.#shared = shared;
  }

  /** Requests waiting for a turn now. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /**
   * Resolves when the request may be sent: its turn is spent then, sent or not. Rejects with the
   * signal's reason when it aborts first (the turn it would have had goes to the next request).
   */
  turn(lane: () => Lane, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(signal.reason as Error);
    // Turns reserved for requests that are gone are spent: sending on them later could bunch
    // requests closer than the rate allows.
    if (this.#waiting.length === 0) this.#dropPastTurns(performance.now());
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        this.#waiting.splice(this.#waiting.indexOf(waiter), 1);
        reject(signal.reason as Error);
        this.#pump();
      };
      const waiter: Waiter = {
        lane,
        grant: () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#waiting.push(waiter);
      this.#pump();
    });
  }

  /** Hands out every turn that has come, then sleeps until the next one (or a reservation's answer). */
  #pump(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const now = performance.now();
    while (this.#waiting.length > 0) {
      this.#dropStaleTurns(now);
      this.#topUp();
      const turnAt = this.#nextTurnAt();
      // Waiting for the shared rate to answer a reservation: its answer pumps again.
      if (turnAt === undefined) return;
      if (turnAt > now) {
        // A shared rate at rest is tried again when its rest ends, not at the next fallback turn
        // (seconds away at a small `fallbackPerSecond`).
        const wakeAt = this.#shared !== undefined && !this.#guard.usable ? Math.min(turnAt, this.#guard.retryAt) : turnAt;
        this.#timer = setTimeout(() => this.#pump(), wakeAt - now);
        return;
      }
      this.#spendTurn(now);
      const [waiter] = this.#waiting.splice(this.#pick(), 1);
      waiter!.grant();
    }
    this.#dropPastTurns(now);
  }

  /** When the next request may go: every rate in force allows it then. */
  #nextTurnAt(): number | undefined {
    const own = this.#lastTurnAt + this.#intervalMs;
    if (this.#shared === undefined) return own;
    const reserved = this.#turns[0];
    if (reserved !== undefined) return Math.max(own, reserved);
    if (this.#guard.usable) return undefined;
    // Read at each turn: an adapter may learn the fleet's size, and so this replica's share, as it goes.
    return Math.max(own, this.#lastFallbackAt + 1000 / this.#shared.fallbackPerSecond);
  }

  #spendTurn(now: number): void {
    this.#lastTurnAt = now;
    if (this.#shared === undefined) return;
    if (this.#turns.length > 0) this.#turns.shift();
    else this.#lastFallbackAt = now;
  }

  /**
   * Reserves a turn of the shared rate for each waiting request that has none coming. A turn is
   * not tied to the request it was asked for: when it comes, it goes to whoever is first by lane.
   */
  #topUp(): void {
    const shared = this.#shared;
    while (shared !== undefined && this.#guard.usable && this.#turns.length + this.#reserving < this.#waiting.length) {
      this.#reserving++;
      shared
        .reserve(NEVER_ABORTED)
        .then(
          (waitMs) => {
            this.#guard.succeeded();
            const turnAt = performance.now() + waitMs;
            const index = this.#turns.findIndex((other) => other > turnAt);
            this.#turns.splice(index < 0 ? this.#turns.length : index, 0, turnAt);
          },
          (error: unknown) => this.#guard.failed(error),
        )
        .finally(() => {
          this.#reserving--;
          this.#pump();
        });
    }
  }

  /**
   * Of the reserved turns that have come, keeps only the latest: the others' moments have passed
   * (the event loop was held up), and sending on them now would bunch requests together, closer
   * than the rate allows. Their requests wait for turns of their own.
   */
  #dropStaleTurns(now: number): void {
    while (this.#turns.length > 1 && this.#turns[1]! <= now) this.#turns.shift();
  }

  #dropPastTurns(now: number): void {
    while (this.#turns.length > 0 && this.#turns[0]! <= now) this.#turns.shift();
  }

  /** Which waiter gets the turn: the first interactive one, except bulk's every `BULK_TURN_EVERY`th turn. */
  #pick(): number {
    const { background: firstBackground, interactive: firstInteractive } = firstInEachLane(this.#waiting);
    if (firstBackground < 0) return firstInteractive;
    if (firstInteractive < 0 || this.#interactiveInARow >= BULK_TURN_EVERY - 1) {
      this.#interactiveInARow = 0;
      return firstBackground;
    }
    this.#interactiveInARow++;
    return firstInteractive;
  }
}
