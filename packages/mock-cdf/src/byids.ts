import { errorAnswer, jsonAnswer, type Answer } from './answers.js';
import type { MockData, TokenAccess } from './data.js';
import { createRandom, hashUnit } from './random.js';
import { RESOURCES, type ResourceName } from './resources.js';
import { cdfError, validateRequest, type ByIdsRequest } from './validation.js';

/** Fisher–Yates with a PRNG fixed by `seeds`. */
function shuffled<T>(list: T[], seeds: number[]): T[] {
  const random = createRandom(Math.floor(hashUnit(...seeds) * 4294967296));
  for (let i = list.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [list[i], list[j]] = [list[j] as T, list[i] as T];
  }
  return list;
}

/** What a byids answer depends on besides the request body. */
export interface ByIdsQuery {
  data: MockData;
  resource: ResourceName;
  /** What the request's token sees. */
  access: TokenAccess;
  /** When given, items come back in the shuffled order these fix instead of request order. */
  shuffleSeeds: number[] | undefined;
  /** Answer one item named by two identifiers once per identifier instead of with `duplicated` (see `MockCdfOptions.aliasDuplicates`). */
  answerAliasDuplicates: boolean;
}

/** Answers a byids body (`undefined` when it was not JSON) as CDF does: validation, then the lookup. */
export function answerByIds(query: ByIdsQuery, body: { value: unknown } | undefined): Answer {
  if (body === undefined) return errorAnswer(400, 'Unable to parse the request body as JSON');
  const validated = validateRequest(query.resource, body.value);
  return validated.ok ? lookUp(query, validated.request) : jsonAnswer(validated.status, validated.body);
}

/**
 * Answers a valid byids request: one item per requested identifier, in request order; unknown (or
 * invisible) identifiers fail the whole request unless `ignoreUnknownIds`. Two identifiers of one
 * item (a file by id and by externalId) are duplicates, as the same identifier twice is: 400 (422
 * for time series) with `duplicated` listing each identifier that names an item named before it
 * (unless `answerAliasDuplicates`).
 */
function lookUp({ data, resource, access, shuffleSeeds, answerAliasDuplicates }: ByIdsQuery, request: ByIdsRequest): Answer {
  const items: unknown[] = [];
  const missing: unknown[] = [];
  const duplicated: unknown[] = [];
  const seen = new Set<unknown>();
  for (const identifier of request.items) {
    const item = data.find(resource, identifier, access);
    if (item === undefined) missing.push(identifier);
    else if (seen.has(item) && !answerAliasDuplicates) duplicated.push(identifier);
    else {
      seen.add(item);
      items.push(item);
    }
  }
  if (duplicated.length > 0) {
    const { title, duplicateStatus } = RESOURCES[resource];
    return jsonAnswer(duplicateStatus, cdfError(duplicateStatus, `${title} ids duplicated`, { duplicated }));
  }
  if (missing.length > 0 && !request.ignoreUnknownIds) {
    return jsonAnswer(400, cdfError(400, `${RESOURCES[resource].title} ids not found`, { missing }));
  }
  return jsonAnswer(200, { items: shuffleSeeds ? shuffled(items, shuffleSeeds) : items }, items.length);
}
