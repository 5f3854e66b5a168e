import type { MockCdfOptions } from './options.js';
import { RESOURCE_NAMES } from './resources.js';
import { startMockCdf, type MockCdf } from './server.js';

/** Where the CLI writes, and what stops a running server besides SIGINT/SIGTERM. */
export interface CliIo {
  /** Default process.stdout. */
  stdout: { write(text: string): unknown };
  /** Default process.stderr. */
  stderr: { write(text: string): unknown };
  /** Aborting it stops a running server as SIGINT would. Default: none. */
  signal?: AbortSignal;
}

/** Resolves when SIGINT, SIGTERM or `signal` asks to stop. */
function stopRequested(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      signal?.removeEventListener('abort', stop);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    if (signal?.aborted) stop();
    else signal?.addEventListener('abort', stop);
  });
}

/** Why the fake could not start, in one line a user can act on. */
function startFailure(error: unknown, options: MockCdfOptions): string {
  if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    return `port ${options.port} on ${options.host ?? '127.0.0.1'} is already in use; choose another --port, or --port 0 for a free one`;
  }
  return error instanceof Error ? error.message : String(error);
}

/** Serves a fake until asked to stop; resolves to the exit code (1 when it cannot start). */
export async function serve(options: MockCdfOptions, io: CliIo): Promise<number> {
  let mock: MockCdf;
  try {
    mock = await startMockCdf(options);
  } catch (error) {
    io.stderr.write(`mock-cdf: ${startFailure(error, options)}\n`);
    return 1;
  }
  const counts = RESOURCE_NAMES.map((resource) => `${mock.data[resource].length} ${resource}`).join(', ');
  io.stdout.write(`mock-cdf listening on ${mock.url}\n  project: ${mock.project}\n  token:   ${mock.token}\n  data:    ${counts}\nPress Ctrl+C to stop.\n`);
  await stopRequested(io.signal);
  await mock.close();
  io.stdout.write('mock-cdf stopped\n');
  return 0;
}
