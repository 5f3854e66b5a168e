// The command as a function, for scripts that run it in-process; the `cdf-loader` bin is `./bin.js`.
export { main, runFromProcess } from './main.js';
export type { CliIo } from './main.js';
