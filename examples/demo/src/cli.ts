import { parseCommandLine } from './config.js';
import { HELP } from './help.js';
import type { ProgressStream } from './progress.js';
import { renderLinksReport, runLinksDemo } from './download-links.js';
import { renderHeader, renderReport } from './report.js';
import { renderOutageHeader, renderOutageReport } from './outage/outage-report.js';
import { OUTAGE_CACHE, runOutageDemo } from './outage/run-outage.js';
import { runReplicasCli } from './replicas/replicas-cli.js';
import { runDemo } from './run.js';

/** The streams the CLI writes to. */
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: ProgressStream;
}

/**
 * Exit codes: 0 every answer right (another strategy's failed operations are findings, not
 * failures), 1 wrong data, an operation cdf-loader failed, or a run that could not finish,
 * 2 a configuration to fix.
 */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/**
 * `pnpm demo`: reads the command line and `CDF_*` variables, prints what it is about to run,
 * runs the demo, prints the report, and resolves to the exit code. No token or secret is ever
 * written.
 */
export async function runCli(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, io: CliIo): Promise<number> {
  const parsed = await parseCommandLine(argv, env);
  if (parsed.kind === 'help') {
    io.stdout.write(HELP);
    return EXIT.ok;
  }
  if (parsed.kind === 'error') {
    io.stderr.write(`${parsed.message}\n`);
    return EXIT.usage;
  }
  const { config } = parsed;
  if (config.links !== undefined && config.target.kind === 'mock') {
    io.stdout.write(renderLinksReport(await runLinksDemo(config.links.pageSize, config.target)));
    return EXIT.ok;
  }
  if (config.replicas !== undefined && config.target.kind === 'mock') {
    return EXIT[await runReplicasCli({ ...config, target: config.target, replicas: config.replicas }, io)];
  }
  if (config.outage === true && config.target.kind === 'mock') {
    const outage = { target: config.target, workload: config.workload, ...OUTAGE_CACHE };
    io.stdout.write(renderOutageHeader(outage));
    try {
      const report = await runOutageDemo(outage);
      io.stdout.write(renderOutageReport(report));
      return report.ok ? EXIT.ok : EXIT.failed;
    } catch (error) {
      io.stderr.write(`The demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
      return EXIT.failed;
    }
  }
  io.stdout.write(renderHeader(parsed.config));
  try {
    const report = await runDemo(parsed.config, io);
    io.stdout.write(renderReport(report));
    return report.ok ? EXIT.ok : EXIT.failed;
  } catch (error) {
    const { target } = parsed.config;
    const secrets = target.kind === 'mock' ? [] : [target.credentials.kind === 'token' ? target.credentials.token : target.credentials.clientSecret];
    const message = secrets.reduce((text, secret) => redact(text, secret), error instanceof Error ? error.message : String(error));
    io.stderr.write(`The demo failed: ${message}\n`);
    return EXIT.failed;
  }
}

/** `text` with every occurrence of `secret` replaced by `***`. */
function redact(text: string, secret: string): string {
  return secret === '' ? text : text.split(secret).join('***');
}
