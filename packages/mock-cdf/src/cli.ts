import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseCliArgs, USAGE, type CliCommand } from './cli-args.js';
import { selfCheck } from './cli-self-check.js';
import { serve, type CliIo } from './cli-serve.js';

export type { CliIo } from './cli-serve.js';

/** Runs the `mock-cdf` command with `argv` (without node and script); resolves to the exit code. */
export async function runCli(argv: string[], io: Partial<CliIo> = {}): Promise<number> {
  const fullIo: CliIo = { stdout: io.stdout ?? process.stdout, stderr: io.stderr ?? process.stderr, ...(io.signal && { signal: io.signal }) };
  let command: CliCommand;
  try {
    command = parseCliArgs(argv);
  } catch (error) {
    fullIo.stderr.write(`mock-cdf: ${(error as Error).message}\nRun 'mock-cdf --help' for usage.\n`);
    return 2;
  }
  if (command.run === 'help') {
    fullIo.stdout.write(USAGE);
    return 0;
  }
  return command.run === 'self-check' ? selfCheck(fullIo) : serve(command.options, fullIo);
}

/** True when this module is the process entry, directly or through bin/mock-cdf.js. */
function isEntry(script: string | undefined): boolean {
  if (script === undefined) return false;
  try {
    const path = realpathSync(script);
    return path === fileURLToPath(import.meta.url) || path === fileURLToPath(new URL('../bin/mock-cdf.js', import.meta.url));
  } catch {
    return false;
  }
}

if (isEntry(process.argv[1])) process.exitCode = await runCli(process.argv.slice(2));
