export { runCli, EXIT } from './cli.js';
export type { CliIo } from './cli.js';
export { DEFAULT_MOCK_TARGET, parseCommandLine, workloadFor } from './config.js';
export type { CdfTarget, Credentials, DemoConfig, MockTarget, ParsedCommandLine, WorkloadSize } from './config.js';
export { renderHeader, renderReport, renderTable } from './report.js';
export type { DemoReport, StrategyReport } from './report.js';
export { runDemo } from './run.js';
export type { DemoIo } from './run.js';
