import { CdfLoaderError } from './cdf-loader-error.js';
import { describeValue } from '../options/describe-value.js';

/** With `missing: 'error'`: CDF has no item for this identifier, or this credential may not see it. */
export class NotFoundError extends CdfLoaderError {
  override name = 'NotFoundError';
  /** The identifier that was looked up. */
  readonly identifier: unknown;
  /** The resource path (`files`, `assets`, `files/downloadlink`, `models/instances`, …). */
  readonly resource: string;

  /**
   * @param itemName What one item of the resource is called in a sentence: `file`, `time series`.
   */
  constructor(resource: string, identifier: unknown, itemName: string) {
    super(`No ${itemName} with ${describeIdentifier(identifier)}.`);
    this.identifier = identifier;
    this.resource = resource;
  }
}

/**
 * `id 1`, `externalId "pump-1"`, `instanceId {"space":"sp","externalId":"doc"}`; an instance
 * reference whole: `{"instanceType":"node","space":"sp","externalId":"pump"}`.
 */
function describeIdentifier(identifier: unknown): string {
  const entries = Object.entries(identifier as object);
  const [kind, value] = entries[0] ?? [];
  return kind === undefined || entries.length > 1 ? describeValue(identifier) : `${kind} ${describeValue(value)}`;
}
