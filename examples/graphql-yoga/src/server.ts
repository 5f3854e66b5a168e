import { createServer as createHttpServer, type Server } from 'node:http';
import { type CdfLoaderPoolOptions, createCdfLoaderPool } from 'cdf-loader';
import { createYoga } from 'graphql-yoga';
import { contextFactory } from './context.js';
import { FILE_NODE_SOURCES } from './file-node.js';
import { maskError } from './errors.js';
import { createServerLogger, type Logging } from './logger.js';
import { type AssetFiles, createCdfSchema } from './schema.js';

/** Options of `createServer`: where CDF is and how to load from it, for every caller. */
export interface ServerOptions extends CdfLoaderPoolOptions {
  /** Which files link to an asset, for `Asset.files`; without it that field is an error. */
  assetFiles?: AssetFiles;
  /**
   * Yoga's `logging`: `true` (yoga's console logger at `info`), `false`, a level, or your logger.
   * Errors keep their stack, except the client's own (an invalid id, a token CDF refused): one
   * `info` line each. @default true
   */
  logging?: Logging;
}

/**
 * The GraphQL handler (yoga, at `/graphql`) over CDF files and assets, without a server around
 * it: for in-process requests (`yoga.fetch`) or a framework of your own. Callers send their own
 * CDF token; one loader pool serves them all, one loader set per token.
 */
export function createGraphQLHandler(options: ServerOptions) {
  const { assetFiles, logging = true, instances = { sources: FILE_NODE_SOURCES }, ...poolOptions } = options;
  return createYoga({
    schema: createCdfSchema(assetFiles),
    // `File.node` reads the CogniteFile view: every instances request carries it as `sources`.
    context: contextFactory(createCdfLoaderPool({ ...poolOptions, instances })),
    maskedErrors: { maskError },
    logging: createServerLogger(logging),
  });
}

/** `createGraphQLHandler` on `node:http`. Not listening yet: call `listen`. */
export function createServer(options: ServerOptions): Server {
  const yoga = createGraphQLHandler(options);
  // Yoga answers every request itself, errors included: nothing is left for node:http to await.
  return createHttpServer((request, response) => void yoga.requestListener(request, response));
}
