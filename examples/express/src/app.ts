import { type FilesLoader, type Identifier, InvalidIdentifierError } from 'cdf-loader';
import express, { type ErrorRequestHandler, type Express, type Response } from 'express';
import type { Registry } from 'prom-client';
import { abortOnDisconnect, ClientDisconnectedError } from './disconnect.js';
import { describeError } from './errors.js';
import { externalIdFromQuery, idFromPath, lookupItems } from './identifiers.js';
import { serveMetrics } from './metrics.js';

/** Options of `createApp`. */
export interface AppOptions {
  /**
   * The one loader every request shares, with `missing: 'null'` (the default): concurrent
   * requests join its byids requests and its cache.
   */
  files: FilesLoader;
  /** A prom-client registry to serve on `GET /metrics`. Default: none, and no such route. */
  metrics?: Registry;
}

/**
 * A REST service over CDF file metadata:
 * - `GET /files/:id`, `GET /files?externalId=…` → the file, 404, 400 (invalid identifier) or 502 (CDF failed);
 * - `POST /files/lookup` with `{ items: [identifier, …] }` → `{ items: [file | null | { error }, …] }` in order;
 * - `GET /metrics` → the registry given as `metrics`, for Prometheus.
 *
 * A request whose client goes away stops its lookups.
 */
export function createApp({ files, metrics }: AppOptions): Express {
  const app = express();
  if (metrics !== undefined) app.get('/metrics', serveMetrics(metrics));
  app.use(express.json({ limit: '1mb' }));

  const sendFile = async (res: Response, identifier: Identifier): Promise<void> => {
    const file = await files.load(identifier, { signal: abortOnDisconnect(res) });
    if (file === null) res.status(404).json({ error: { status: 404, message: `No file found for ${JSON.stringify(identifier)}.` } });
    else res.json(file);
  };
  app.get('/files/:id', (req, res) => sendFile(res, idFromPath(req.params.id)));
  app.get('/files', (req, res) => sendFile(res, externalIdFromQuery(req.query['externalId'])));

  app.post('/files/lookup', async (req, res) => {
    const signal = abortOnDisconnect(res);
    const items = lookupItems(req.body);
    const loaded = await files.loadMany(
      items.filter((item): item is Identifier => !(item instanceof InvalidIdentifierError)),
      { signal },
    );
    if (signal.aborted) return; // nobody is left to answer
    // The loaded answers, in order, go to the places of the valid items.
    let next = 0;
    const results = items.map((item) => (item instanceof InvalidIdentifierError ? item : loaded[next++]));
    res.json({ items: results.map((result) => (result instanceof Error ? { error: describeError(result) } : result)) });
  });

  app.use(errorHandler);
  return app;
}

const errorHandler: ErrorRequestHandler = (error, _req, res, _next) => {
  if (error instanceof ClientDisconnectedError) return; // nobody is left to answer
  const body = describeError(error);
  res.status(body.status).json({ error: body });
};
