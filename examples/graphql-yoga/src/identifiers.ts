import type { IdEither } from 'cdf-loader';

/** Arguments that name one item: exactly one of them should be given. */
export interface IdArgs {
  id?: string | null | undefined;
  externalId?: string | null | undefined;
}

/**
 * The cdf-loader identifier for GraphQL arguments, unchecked: cdf-loader validates it and
 * rejects a bad one with an `InvalidIdentifierError` naming the value, which becomes the
 * GraphQL error. Hence the cast: the result may be anything the client sent.
 */
export function toIdentifier({ id, externalId }: IdArgs): IdEither {
  return { ...(id != null && { id: toId(id) }), ...(externalId != null && { externalId }) } as IdEither;
}

/**
 * A GraphQL `ID` as a CDF id. CDF ids go up to 2^53−1, beyond GraphQL's 32-bit `Int`, so they
 * travel as `ID` strings; anything but a canonical decimal integer stays the string it was.
 */
function toId(value: string): number | string {
  const number = Number(value);
  return String(number) === value ? number : value;
}
