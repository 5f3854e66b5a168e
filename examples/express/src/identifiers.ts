import { type Identifier, InvalidIdentifierError, parseIdentifier } from 'cdf-loader';
import { BadRequestError } from './errors.js';

/** Most identifiers one `POST /files/lookup` may ask for: CDF's own byids limit. */
export const MAX_LOOKUP_ITEMS = 1000;

/**
 * The identifier of `GET /files/:id`. A segment that is not a canonical decimal integer (`abc`,
 * `1e3`, `99999999999999999999`) stays the string it was, so the error names what the client sent.
 * @throws {InvalidIdentifierError} cdf-loader's message: which rule the value breaks.
 */
export function idFromPath(segment: string): Identifier {
  const number = Number(segment);
  return parseIdentifier({ id: String(number) === segment ? number : segment }, 'files');
}

/**
 * The identifier of `GET /files?externalId=…`: the query parameter as express parsed it, so a
 * missing or repeated one is refused with a message saying what came.
 * @throws {InvalidIdentifierError}
 */
export function externalIdFromQuery(value: unknown): Identifier {
  return parseIdentifier({ externalId: value }, 'files');
}

/**
 * The items of a lookup body `{ items: [...] }`, each parsed on its own: a typed identifier, or
 * the `InvalidIdentifierError` that becomes that item's answer, so one bad item fails only itself.
 * @throws {BadRequestError} when the body is not a lookup, or asks for more than {@link MAX_LOOKUP_ITEMS}.
 */
export function lookupItems(body: unknown): (Identifier | InvalidIdentifierError)[] {
  const items = (body as { items?: unknown } | undefined)?.items;
  if (!Array.isArray(items)) throw new BadRequestError('The body must be JSON like {"items": [{"id": 1}, {"externalId": "x"}]}.');
  if (items.length > MAX_LOOKUP_ITEMS) throw new BadRequestError(`At most ${MAX_LOOKUP_ITEMS} items per lookup, got ${items.length}.`);
  return items.map(parseItem);
}

function parseItem(item: unknown): Identifier | InvalidIdentifierError {
  try {
    return parseIdentifier(item, 'files');
  } catch (error) {
    if (error instanceof InvalidIdentifierError) return error;
    throw error;
  }
}
