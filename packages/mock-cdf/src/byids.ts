import type { MockData, TokenAccess } from './data.js';
import { createRandom, hashUnit } from './random.js';
import { RESOURCES, type ResourceName } from './resources.js';
import { cdfError, type ByIdsRequest, type CdfErrorBody } from './validation.js';

export type LookupResult = { status: 200; body: { items: unknown[] } } | { status: 400; body: CdfErrorBody };

/** Fisher–Yates with a PRNG fixed by `seeds`. */
function shuffled<T>(list: T[], seeds: number[]): T[] {
  const random = createRandom(Math.floor(hashUnit(...seeds) * 4294967296));
  for (let i = list.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [list[i], list[j]] = [list[j] as T, list[i] as T];
  }
  return list;
}

/**
 * Answers a valid byids request as CDF does: one item per requested identifier, in request order;
 * unknown (or invisible) identifiers fail the whole request unless `ignoreUnknownIds`.
 * `shuffleSeeds`, when given, fixes a shuffled order instead.
 */
export function lookUp(
  data: MockData,
  resource: ResourceName,
  request: ByIdsRequest,
  access: TokenAccess,
  shuffleSeeds?: number[],
): LookupResult {
  const items: unknown[] = [];
  const missing: unknown[] = [];
  for (const identifier of request.items) {
    const item = data.find(resource, identifier, access);
    if (item === undefined) missing.push(identifier);
    else items.push(item);
  }
  if (missing.length > 0 && !request.ignoreUnknownIds) {
    return { status: 400, body: cdfError(400, `${RESOURCES[resource].title} ids not found`, { missing }) };
  }
  return { status: 200, body: { items: shuffleSeeds ? shuffled(items, shuffleSeeds) : items } };
}
