/**
 * How a resource's requests and answers differ from byids: the endpoint, its body and limit, how
 * an identifier is checked and keyed, and how an answer item maps back to the keys it answers.
 * byids resources have none: `files`, `assets`, … use the defaults the engine and transport hold.
 */
import type { CanonicalKey } from '../identifiers/identifiers.js';

export interface Endpoint<TItem> {
  /** The path after `…/projects/{project}/`: `files/downloadlink`. */
  readonly path: string;
  /** A query string for every request, with its `?`, or `''`. */
  readonly query: string;
  /** Most identifiers CDF accepts in one request. */
  readonly maxItems: number;
  /** The JSON body of one request for these identifiers (already checked and copied). */
  body(identifiers: readonly object[]): string;
  /** Why an item of a 200 answer makes the whole answer unusable (a malformed answer), or `undefined`. */
  badItem(item: unknown): string | undefined;
  /** The keys an answer item names, or why it answers none (it is then ignored, never cached). */
  itemKeys(item: unknown): CanonicalKey[] | string;
  /**
   * An identifier's canonical key, checked, for resources whose identifiers are not
   * `{ id } | { externalId } | { instanceId }`; with it, `copyIdentifier`.
   * @throws {InvalidIdentifierError}
   */
  identifierKey?(identifier: unknown): CanonicalKey;
  copyIdentifier?(identifier: object): object;
  /** The item a caller gets for CDF's answer item; `sentAt`: when the request went out, epoch ms. */
  toItem?(item: object, sentAt: number): TItem;
  /** How much longer, in ms from epoch ms `now`, an item may be served from a cache; ≤ 0: no longer. */
  freshFor?(item: TItem, now: number): number;
  /**
   * CDF answers a request naming an unknown identifier with 400 and the unknown ones in `missing`
   * (the endpoint has no `ignoreUnknownIds`): those are not found, and the rest is sent again.
   */
  readonly unknownIdsFail: boolean;
  /**
   * The resource's name in shared-tier keys: differs from its path where the same identifiers get
   * other answers (1-hour links, instances read through other views).
   */
  readonly scope: string;
}
