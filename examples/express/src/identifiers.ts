import type { Identifier } from 'cdf-loader';
import { BadRequestError } from './errors.js';

/** Most identifiers one `POST /files/lookup` may ask for: CDF's own byids limit. */
export const MAX_LOOKUP_ITEMS = 1000;

/**
 * A path segment as a CDF id. Anything but a canonical decimal integer stays the string it was,
 * so cdf-loader rejects it with a message naming what the client sent.
 */
export function idFromPath(segment: string): Identifier {
  const number = Number(segment);
  // Unchecked on purpose: cdf-loader validates identifiers.
  return { id: String(number) === segment ? number : segment } as Identifier;
}

/** The identifiers of a lookup body `{ items: [...] }`, each still unchecked: cdf-loader validates them one by one. */
export function lookupItems(body: unknown): Identifier[] {
  const items = (body as { items?: unknown } | undefined)?.items;
  if (!Array.isArray(items)) throw new BadRequestError('The body must be JSON like {"items": [{"id": 1}, {"externalId": "x"}]}.');
  if (items.length > MAX_LOOKUP_ITEMS) throw new BadRequestError(`At most ${MAX_LOOKUP_ITEMS} items per lookup, got ${items.length}.`);
  return items as Identifier[];
}
