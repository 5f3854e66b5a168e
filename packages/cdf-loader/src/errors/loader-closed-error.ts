import { CdfLoaderError } from './cdf-loader-error.js';

/** The loader was closed (`close()`): loads queued or in flight then, and every load after, reject with this. */
export class LoaderClosedError extends CdfLoaderError {
  override name = 'LoaderClosedError';
  /** The resource path of the closed loader (`files`, `assets`, …). */
  readonly resource: string;

  constructor(resource: string) {
    super(`The ${resource} loader is closed: \`close()\` was called, so it sends no more requests.`);
    this.resource = resource;
  }
}
