import { CdfLoaderError } from './cdf-loader-error.js';
import { describeValue } from '../describe-value.js';

/** With `missing: 'error'`: CDF has no item for this identifier, or this credential may not see it. */
export class NotFoundError extends CdfLoaderError {
  override name = 'NotFoundError';
  /** The identifier that was looked up. */
  readonly identifier: unknown;
  /** The resource path (`files`, `assets`, …). */
  readonly resource: string;

  constructor(resource: string, identifier: unknown) {
    super(`No ${resource} item found for ${describeValue(identifier)}.`);
    this.identifier = identifier;
    this.resource = resource;
  }
}
