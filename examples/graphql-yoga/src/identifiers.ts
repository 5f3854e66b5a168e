import { type IdEither, type Identifier, parseIdentifier } from 'cdf-loader';

/** Arguments that name one item: exactly one of them should be given. */
export interface IdArgs {
  id?: string | null | undefined;
  externalId?: string | null | undefined;
}

/**
 * The file GraphQL arguments name.
 * @throws {InvalidIdentifierError} cdf-loader's message, which becomes the GraphQL error.
 */
export function fileIdentifier(args: IdArgs): Identifier {
  return parseIdentifier(given(args), 'files');
}

/**
 * The asset GraphQL arguments name.
 * @throws {InvalidIdentifierError} cdf-loader's message, which becomes the GraphQL error.
 */
export function assetIdentifier(args: IdArgs): IdEither {
  return parseIdentifier(given(args), 'assets');
}

/** The arguments the client gave, for `parseIdentifier` to check. */
function given({ id, externalId }: IdArgs): Record<string, unknown> {
  return { ...(id != null && { id: toId(id) }), ...(externalId != null && { externalId }) };
}

/**
 * A GraphQL `ID` as a CDF id. CDF ids go up to 2^53−1, beyond GraphQL's 32-bit `Int`, so they
 * travel as `ID` strings; anything but a canonical decimal integer stays the string it was, so
 * the error names what the client sent.
 */
function toId(value: string): number | string {
  const number = Number(value);
  return String(number) === value ? number : value;
}
