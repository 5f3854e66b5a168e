export { createGraphQLHandler, createServer } from './server.js';
export type { ServerOptions } from './server.js';
export type { AssetFiles } from './schema.js';
