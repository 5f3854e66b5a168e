/**
 * The slots of a concurrency limit and who gets the next free one: interactive requests first,
 * background (bulk) requests after them, but bulk is never starved: while no background request
 * holds a slot, the next free one goes to a waiting background request. While interactive
 * requests come (one got a slot in the last `INTERACTIVE_QUIET_MS`), bulk keeps to that one slot,
 * and rests between its requests as long as the last one held it: a bulk answer is a thousand
 * items to parse and hand out (and for CDF, to serialize), and back to back they would hold the
 * CPU the interactive answers need. It owns the count of slots held and the waiters; it knows
 * nothing of HTTP, 429s or what a task does.
 */
import { AsyncResource } from 'node:async_hooks';
import type { Lane } from '../engine/outgoing-request.js';
import { firstInEachLane } from './first-in-lane.js';

/** A slot held by one task; what the task may tell the queue while it holds it. */
export interface LaneSlot {
  /** The lane it was granted in. */
  readonly lane: Lane;
  /**
   * Aborts when an interactive request needs this slot while the task said it may give it up
   * (`yieldable`): a background task waiting for the shared budget holds no request in CDF yet.
   */
  readonly yieldSignal: AbortSignal;
  /** Whether the task may give the slot up now (see `yieldSignal`). */
  yieldable: boolean;
}

interface Waiter {
  lane: () => Lane;
  start: () => void;
}

interface HeldSlot extends LaneSlot {
  readonly yieldController: AbortController;
  /** When it was granted (`performance.now()`). */
  readonly heldAt: number;
}

const resolved = Promise.resolve();

/** How long after the last interactive request bulk keeps to one slot, in ms. */
const INTERACTIVE_QUIET_MS = 100;

export class LaneQueue {
  /** Slots that may be held at once; changing it starts waiters when it grows. */
  #concurrency: number;
  readonly #waiting: Waiter[] = [];
  readonly #held = new Set<HeldSlot>();
  #background = 0;
  /** When an interactive request last got a slot (`performance.now()`). */
  #lastInteractive = Number.NEGATIVE_INFINITY;
  /** While interactive requests come, when bulk may take its slot again (`performance.now()`). */
  #backgroundRestsUntil = Number.NEGATIVE_INFINITY;
  /** Wakes background waiters held back by interactive traffic once it has been quiet, or bulk's rest ended. */
  #quietTimer: NodeJS.Timeout | undefined;
  /** When `#quietTimer` fires (`performance.now()`). */
  #quietTimerAt = Number.POSITIVE_INFINITY;

  constructor(concurrency: number) {
    this.#concurrency = concurrency;
  }

  get concurrency(): number {
    return this.#concurrency;
  }

  set concurrency(value: number) {
    this.#concurrency = value;
    this.#startWaiters();
  }

  /** Whether an interactive request got a slot in the last `INTERACTIVE_QUIET_MS`. */
  get interactiveRecently(): boolean {
    return performance.now() < this.#lastInteractive + INTERACTIVE_QUIET_MS;
  }

  get active(): number {
    return this.#held.size;
  }

  get waiting(): number {
    return this.#waiting.length;
  }

  /**
   * Runs `task` in a slot of its lane (read when the slot is granted), in the async context of the
   * caller. When `signal` aborts before a slot is granted, the task leaves the queue and the
   * promise rejects with the signal's reason: a closed loader leaves no waiter, and no timer.
   */
  run<T>(task: (slot: LaneSlot) => Promise<T>, lane: () => Lane, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted === true) return Promise.reject(signal.reason as Error);
    const bound = AsyncResource.bind(task);
    return new Promise<T>((resolve, reject) => {
      const leave = (): void => {
        const index = this.#waiting.indexOf(waiter);
        if (index >= 0) this.#waiting.splice(index, 1);
        if (!this.#waiting.some((other) => other.lane() === 'background')) this.#stopQuietTimer();
        reject(signal!.reason as Error);
      };
      const waiter: Waiter = {
        lane,
        start: () => {
          signal?.removeEventListener('abort', leave);
          const slot = this.#hold(lane());
          bound(slot)
            .then(resolve, reject)
            .finally(() => this.#release(slot));
        },
      };
      this.#waiting.push(waiter);
      signal?.addEventListener('abort', leave, { once: true });
      // Started after the caller's synchronous work: a dispatch hands out all its chunks first.
      void resolved.then(() => this.#startWaiters());
    });
  }

  #stopQuietTimer(): void {
    clearTimeout(this.#quietTimer);
    this.#quietTimer = undefined;
    this.#quietTimerAt = Number.POSITIVE_INFINITY;
  }

  /** Starts waiters again at `at` (`performance.now()`), or sooner when a timer already fires sooner. */
  #wakeAt(at: number): void {
    if (this.#quietTimer !== undefined && this.#quietTimerAt <= at) return;
    this.#stopQuietTimer();
    this.#quietTimerAt = at;
    this.#quietTimer = setTimeout(() => {
      this.#quietTimer = undefined;
      this.#quietTimerAt = Number.POSITIVE_INFINITY;
      this.#startWaiters();
    }, at - performance.now());
    this.#quietTimer.unref();
  }

  #hold(lane: Lane): HeldSlot {
    const heldAt = performance.now();
    const slot: HeldSlot = { lane, heldAt, yieldController: new AbortController(), yieldable: false, get yieldSignal() { return this.yieldController.signal; } };
    this.#held.add(slot);
    if (lane === 'background') this.#background++;
    else this.#lastInteractive = heldAt;
    return slot;
  }

  #release(slot: HeldSlot): void {
    if (!this.#held.delete(slot)) return;
    if (slot.lane === 'background') {
      this.#background--;
      const now = performance.now();
      this.#backgroundRestsUntil = now + (now - slot.heldAt);
    }
    this.#startWaiters();
  }

  #startWaiters(): void {
    while (this.#waiting.length > 0) {
      if (this.#held.size >= this.#concurrency) {
        this.#yieldForInteractive();
        return;
      }
      const next = this.#next();
      if (next < 0) return;
      const [waiter] = this.#waiting.splice(next, 1);
      waiter!.start();
    }
  }

  /**
   * Which waiter gets the free slot: bulk's one slot first (once its rest is over), then
   * interactive ones in order, then the oldest; -1 when only bulk waits and, while interactive
   * requests come, it already holds its one slot or rests.
   */
  #next(): number {
    const { background: firstBackground, interactive: firstInteractive } = firstInEachLane(this.#waiting);
    const now = performance.now();
    const quietAt = this.#lastInteractive + INTERACTIVE_QUIET_MS;
    // Bulk's one slot waits out its rest only while interactive requests come.
    const bulkSlotAt = this.#background === 0 ? Math.min(quietAt, this.#backgroundRestsUntil) : quietAt;
    if (firstBackground >= 0 && this.#background === 0 && now >= bulkSlotAt) return firstBackground;
    if (firstInteractive >= 0) return firstInteractive;
    if (now >= quietAt) return 0;
    this.#wakeAt(bulkSlotAt);
    return -1;
  }

  /**
   * Every slot is held and an interactive request waits: background tasks that may give their
   * slots up (they still wait for the shared budget) do, all but bulk's last slot, so the
   * interactive request also asks the budget before them.
   */
  #yieldForInteractive(): void {
    if (this.#background < 2 || !this.#waiting.some((waiter) => waiter.lane() === 'interactive')) return;
    let kept = 0;
    for (const slot of this.#held) if (slot.lane === 'background' && !slot.yieldController.signal.aborted) kept++;
    for (const slot of this.#held) {
      if (kept <= 1) return;
      if (slot.lane !== 'background' || !slot.yieldable || slot.yieldController.signal.aborted) continue;
      slot.yieldable = false;
      slot.yieldController.abort(new DOMException('An interactive request takes this slot', 'AbortError'));
      kept--;
    }
  }
}
