// The `cdf-loader` command: runs when imported, by bin/cdf-loader.js.
import { runFromProcess } from './main.js';

process.exitCode = await runFromProcess();
