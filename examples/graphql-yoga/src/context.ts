import type { Asset, CanonicalKey, CdfLoaderPool, FileInfo, FileLink, IdEither, Identifier, Instance, InstanceIdentifier } from 'cdf-loader';
import type DataLoader from 'dataloader';
import type { YogaInitialContext } from 'graphql-yoga';
import { unauthenticated } from './errors.js';
import { bearerToken } from './principal.js';

/** What every resolver gets: this request's DataLoaders, acting with the caller's own token. */
export interface Context {
  files: DataLoader<Identifier, FileInfo | null, CanonicalKey>;
  assets: DataLoader<IdEither, Asset | null, CanonicalKey>;
  /** Download links (`files/downloadlink`): a page's `File.downloadUrl`s become one request per 100. */
  fileLinks: DataLoader<Identifier, FileLink | null, CanonicalKey>;
  /** Data-modeling nodes, read through the server's `instances.sources` (the CogniteFile view). */
  instances: DataLoader<InstanceIdentifier, Instance | null, CanonicalKey>;
}

/**
 * Yoga's `context` factory. The caller's token is passed through to CDF, so CDF decides what
 * they may see; the loaders come from that token's pool entry, so their cache is never shared
 * with another caller. `forRequest` gives per-request memoization on top of the shared cache,
 * names the DataLoaders `cdf-loader.files` / `cdf-loader.assets` for
 * `@opentelemetry/instrumentation-dataloader`, and stops the loads if the client goes away.
 */
export function contextFactory(pool: CdfLoaderPool): (initial: YogaInitialContext) => Context {
  return ({ request }) => {
    const token = bearerToken(request);
    if (token === undefined) throw unauthenticated('Send the CDF access token as `Authorization: Bearer <token>`.');
    // This server does not verify tokens, CDF does: keying by the token itself (hashed) rather
    // than by a claim inside it means a forged token can never reach another user's cache.
    const cdf = pool.forToken(token);
    const scope = { signal: request.signal };
    return {
      files: cdf.files.forRequest(scope),
      assets: cdf.assets.forRequest(scope),
      fileLinks: cdf.fileLinks.forRequest(scope),
      instances: cdf.instances.forRequest(scope),
    };
  };
}
