export { instrumentCdfLoader } from './instrument.js';
export type { CdfLoaderInstrumentationOptions } from './instrument.js';
