import { errorAnswer, jsonAnswer, type Answer } from './answers.js';
import type { MockData, TokenAccess } from './data.js';
import { identifierKey, isRecord, type Identifier } from './identifiers.js';
import { RESOURCES } from './resources.js';
import { badRequest, cdfError, checkItem, checkItems, duplicatesOf, violationsMessage } from './validation.js';

/** Most identifiers one `files/downloadlink` request may carry (the spec's `FileLinkIds.items` maxItems). */
export const MAX_LINKS = 100;
/** How long a link is valid, in ms: 30 s, or 1 h with `extendedExpiration=true`. */
export const LINK_LIFETIME_MS = 30_000;
export const EXTENDED_LINK_LIFETIME_MS = 3_600_000;

/** What a download-link answer depends on besides the request body. */
export interface DownloadLinkQuery {
  data: MockData;
  access: TokenAccess;
  /** The request's query string, without `?`. */
  query: string;
  requestId: string;
}

/**
 * Answers `POST files/downloadlink` as CDF does: `items` of 1..100 unique file identifiers (no
 * `ignoreUnknownIds`), each answered by `{ downloadUrl, <the identifier as asked> }`; a request
 * naming a file the token cannot see fails whole with 400 and `missing`.
 */
export function answerDownloadLinks(query: DownloadLinkQuery, body: { value: unknown } | undefined): Answer {
  if (body === undefined) return errorAnswer(400, 'Unable to parse the request body as JSON');
  const extended = new URLSearchParams(query.query).get('extendedExpiration');
  if (extended !== null && extended !== 'true' && extended !== 'false') {
    return errorAnswer(400, `Invalid query parameter extendedExpiration: '${extended}' is not a boolean`);
  }
  const request = body.value;
  if (!isRecord(request)) return jsonAnswer(400, badRequest('Request body must be a JSON object').body);
  const violations: string[] = [];
  for (const key of Object.keys(request)) if (key !== 'items') violations.push(`${key} is not a recognized field`);
  checkItems(request.items, MAX_LINKS, violations, (item, at) => checkItem(item, at, RESOURCES.files.kinds, violations));
  if (violations.length > 0) return jsonAnswer(400, cdfError(400, violationsMessage(violations)));
  const identifiers = request.items as Identifier[];
  const duplicated = duplicatesOf(identifiers, (identifier) => identifierKey(identifier) as string);
  if (duplicated.length > 0) return jsonAnswer(400, cdfError(400, 'Files ids duplicated', { duplicated }));

  const missing = identifiers.filter((identifier) => query.data.find('files', identifier, query.access) === undefined);
  if (missing.length > 0) return jsonAnswer(400, cdfError(400, 'Files ids not found', { missing }));
  const expiresAt = Date.now() + (extended === 'true' ? EXTENDED_LINK_LIFETIME_MS : LINK_LIFETIME_MS);
  const items = identifiers.map((identifier) => {
    const { id } = query.data.find('files', identifier, query.access) as { id: number };
    return { ...identifier, downloadUrl: `https://files.mock-cdf.invalid/download/${id}?expires=${expiresAt}&request=${query.requestId}` };
  });
  return jsonAnswer(200, { items }, items.length);
}
