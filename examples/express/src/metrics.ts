import type { RequestHandler } from 'express';
import type { Registry } from 'prom-client';

/** `GET /metrics`: what `registry` holds, in Prometheus' text format, for a scraper. */
export function serveMetrics(registry: Registry): RequestHandler {
  return async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  };
}
