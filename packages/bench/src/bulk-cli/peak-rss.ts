// Preloaded with `node --import` into a measured process: its peak RSS (KB), written to fd 3 as it exits.
import { writeSync } from 'node:fs';

process.on('exit', () => {
  writeSync(3, String(process.resourceUsage().maxRSS));
});
