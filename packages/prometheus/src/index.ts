export { registerCdfLoaderMetrics } from './register.js';
export type { CdfLoaderMetricsOptions } from './register.js';
