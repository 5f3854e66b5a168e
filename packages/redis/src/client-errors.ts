/** What this package needs of a client to hear its errors: node-redis clients and clusters have it. */
export interface ErrorEmitter {
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/** The last error each client emitted, for clients this package listens to. */
const lastErrors = new WeakMap<ErrorEmitter, Error | undefined>();

/**
 * Listens to the client's `'error'` events (once per client, however many adapters share it): a
 * node-redis client emits one on every failed connection attempt, and an `'error'` event nobody
 * listens to is thrown by Node and ends the process. The user may listen as well; this listener
 * only keeps the last error, so a call that fails while the client is away can name why.
 */
export function listenForErrors(client: ErrorEmitter): void {
  if (lastErrors.has(client)) return;
  lastErrors.set(client, undefined);
  client.on('error', (error) => lastErrors.set(client, error));
}

/** The last error the client emitted, if this package listens to it. */
export function lastErrorOf(client: ErrorEmitter): Error | undefined {
  return lastErrors.get(client);
}
