import type { Response } from 'express';

/** Why the lookups of a request stop: its client went away before the answer was sent. */
export class ClientDisconnectedError extends Error {
  override readonly name = 'ClientDisconnectedError';

  constructor() {
    super('The client closed the connection before the answer was sent.');
  }
}

/**
 * A signal that aborts with a `ClientDisconnectedError` when the client closes the connection
 * before the answer is complete. Passed to `load`, it makes the request's lookups give up at
 * once; cdf-loader aborts a byids request only when no other request still waits on it.
 */
export function abortOnDisconnect(res: Response): AbortSignal {
  const controller = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) controller.abort(new ClientDisconnectedError());
  });
  return controller.signal;
}
