/**
 * One `abort` listener per AbortSignal, whatever the number of loads that passed it. It owns the
 * listeners; what an abort does is each load's own business.
 */
/** Told when the signal it was added for aborts. */
export interface AbortListener {
  aborted(reason: unknown): void;
}

/**
 * One `abort` listener per signal, however many loads share it (a request's signal passed to
 * every load of that request): Node warns of a leak past ten listeners on one signal, and each
 * listener costs a closure. The listener goes when the last load behind it settles.
 */
export class SignalWatch {
  readonly #watched = new Map<AbortSignal, { listeners: Set<AbortListener>; onAbort: () => void }>();

  add(signal: AbortSignal, listener: AbortListener): void {
    let entry = this.#watched.get(signal);
    if (entry === undefined) {
      const listeners = new Set<AbortListener>();
      const onAbort = (): void => {
        this.#watched.delete(signal);
        for (const each of listeners) each.aborted(signal.reason);
      };
      entry = { listeners, onAbort };
      this.#watched.set(signal, entry);
      signal.addEventListener('abort', onAbort, { once: true });
    }
    entry.listeners.add(listener);
  }

  remove(signal: AbortSignal, listener: AbortListener): void {
    const entry = this.#watched.get(signal);
    if (entry === undefined || !entry.listeners.delete(listener) || entry.listeners.size > 0) return;
    this.#watched.delete(signal);
    signal.removeEventListener('abort', entry.onAbort);
  }
}
