import { STATUS_CODES } from 'node:http';
import { CdfApiError, InvalidIdentifierError } from 'cdf-loader';

/** What the service answers about a failure, as the body's `error` and (for a whole request) its status. */
export interface ErrorBody {
  status: number;
  message: string;
  /** CDF's `x-request-id`, for Cognite support, when CDF answered. */
  requestId?: string;
}

/** A client error with a message safe to show, in the shape of the `http-errors` that express's body parser throws. */
export class BadRequestError extends Error {
  readonly status = 400;
  readonly expose = true;
}

/**
 * The answer for an error: 400 for an identifier CDF would refuse (cdf-loader's message says
 * which rule it breaks), 502 when the request to CDF failed (CDF is the upstream here), a
 * client error's own status, and a bare 500 for anything else.
 */
export function describeError(error: unknown): ErrorBody {
  if (error instanceof InvalidIdentifierError) return { status: 400, message: error.message };
  if (error instanceof CdfApiError) {
    return { status: 502, message: error.message, ...(error.requestId !== undefined && { requestId: error.requestId }) };
  }
  if (isClientError(error)) return { status: error.status, message: error.message };
  return { status: 500, message: STATUS_CODES[500] ?? 'Internal Server Error' };
}

function isClientError(error: unknown): error is Error & { status: number } {
  const { status, expose } = error as { status?: unknown; expose?: unknown };
  return error instanceof Error && expose === true && typeof status === 'number' && status >= 400 && status < 500;
}
