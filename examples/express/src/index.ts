export { createApp } from './app.js';
export type { AppOptions } from './app.js';
export type { ErrorBody } from './errors.js';
