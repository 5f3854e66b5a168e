/**
 * The attribute names on spans and metric points. OpenTelemetry's semantic conventions where one
 * fits (`http.*`, `error.type`); `cdf.*` for what belongs to CDF; `cdf_loader.*` for the loader's own.
 */
export const attributes = {
  /** The CDF project. */
  project: 'cdf.project',
  /** The resource path: `files`, `assets`, `events`, `timeseries` or `sequences`. */
  resource: 'cdf.resource',
  /** CDF's `x-request-id` of the answer. */
  requestId: 'cdf.request_id',
  /** Identifiers one byids request carried. */
  identifiers: 'cdf_loader.request.identifiers',
  /** The attempt of a byids request: 1 for the first. */
  attempt: 'cdf_loader.request.attempt',
  /** How a load was answered: `cacheHit`, `inflightJoin`, `queued`, `invalid` or `staleWhileRevalidate`. */
  loadOutcome: 'cdf_loader.load.outcome',
  /** Which concurrency limit: its id, stable for its lifetime. */
  limiterId: 'cdf_loader.limiter.id',
  /** The wait before the next attempt, in milliseconds. */
  retryDelay: 'cdf_loader.retry.delay_ms',
  httpMethod: 'http.request.method',
  httpStatus: 'http.response.status_code',
  httpResendCount: 'http.request.resend_count',
  errorType: 'error.type',
} as const;

/**
 * `error.type` of a failed attempt, kept low-cardinality as the conventions ask: the HTTP status
 * when an answer came, else the error's class name (`CdfApiError` for a timeout or network error).
 */
export function errorType(status: number, error: Error): string {
  return status > 0 ? String(status) : error.name;
}
