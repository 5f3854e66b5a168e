/**
 * File download links (`POST files/downloadlink`): the item type and the endpoint's rules.
 */
import { carriedKeys, type Identifier } from '../identifiers/identifiers.js';
import type { Endpoint } from './endpoint.js';
import type { EpochMs, Resource } from './resources.js';

/** A file's download URL, with the identifier it was asked by. */
export type FileLink = Identifier & {
  /** A signed URL; anyone holding it can download the file until it expires. */
  downloadUrl: string;
  /**
   * When the link expires, epoch ms: the time the request was sent plus the link's lifetime (30 s,
   * or 1 h with `extendedExpiration`). CDF starts the lifetime once it answers, so this is a little early.
   */
  expiresAt: EpochMs;
};

/**
 * CDF's maximum for one download-link request: the OpenAPI spec's `FileLinkIds.items` has
 * `maxItems: 100` (`POST /files/downloadlink`; CDF-API.md, "More endpoints and limits").
 */
export const MAX_LINKS_PER_REQUEST = 100;

/**
 * The endpoint's rules for one loader.
 * @param extendedExpiration Ask for links valid 1 h instead of 30 s.
 * @param lifetimeMs How long CDF's links are valid then.
 * @param expiryMarginMs A link is served from a cache only while more than this is left of it.
 */
export function fileLinksEndpoint({ extendedExpiration, lifetimeMs, expiryMarginMs }: { extendedExpiration: boolean; lifetimeMs: number; expiryMarginMs: number }): Endpoint<FileLink> {
  return {
    path: 'files/downloadlink',
    query: extendedExpiration ? '?extendedExpiration=true' : '',
    maxItems: MAX_LINKS_PER_REQUEST,
    body: (items) => JSON.stringify({ items }),
    badItem: (item) =>
      typeof item === 'object' && item !== null && typeof (item as { downloadUrl?: unknown }).downloadUrl === 'string'
        ? undefined
        : 'is not a link with a string `downloadUrl`',
    itemKeys: carriedKeys,
    toItem: (item, sentAt) => ({ ...item, expiresAt: sentAt + lifetimeMs }) as FileLink,
    freshFor: (link, now) => link.expiresAt - expiryMarginMs - now,
    unknownIdsFail: true,
    // 1-hour links and 30-second links are different answers: different entries in a shared tier.
    scope: extendedExpiration ? 'files/downloadlink?extendedExpiration=true' : 'files/downloadlink',
  };
}

/** The download links of one loader's settings, as a resource a loader reads. */
export function fileLinksResource(links: { extendedExpiration: boolean; lifetimeMs: number; expiryMarginMs: number }): Resource<FileLink, Identifier> {
  return { path: 'files/downloadlink', kinds: new Set(['id', 'externalId', 'instanceId']), itemName: 'file', endpoint: fileLinksEndpoint(links) };
}
