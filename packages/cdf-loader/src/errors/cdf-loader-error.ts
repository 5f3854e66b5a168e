/**
 * The common base of the errors cdf-loader produces about CDF's answers (`CdfApiError`,
 * `NotFoundError`). `InvalidIdentifierError` is a `TypeError` instead, because it is the
 * caller's argument that is wrong.
 */
export class CdfLoaderError extends Error {
  override name = 'CdfLoaderError';
}
