import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';

/**
 * A private `redis-server` on a free port of 127.0.0.1, without persistence: for tests, demos and
 * benchmarks that need a Redis of their own (`@cdf-loader/redis/testing`). It needs
 * `redis-server` on the PATH.
 */
export class PrivateRedisServer {
  readonly port: number;
  #process: ChildProcess;

  private constructor(port: number, child: ChildProcess) {
    this.port = port;
    this.#process = child;
  }

  /** Starts one, or says why it cannot (no `redis-server` on the PATH, a port taken). */
  static async start(): Promise<PrivateRedisServer | string> {
    const port = await freePort();
    const child = await launch(port);
    return typeof child === 'string' ? child : new PrivateRedisServer(port, child);
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Stops it, as a crash would: connections drop, nothing is saved. */
  async kill(): Promise<void> {
    if (this.#process.exitCode !== null || this.#process.signalCode !== null) return;
    const exited = once(this.#process, 'exit');
    this.#process.kill('SIGKILL');
    await exited;
  }

  /** Freezes it: connections stay open, nothing is answered (a hung server or a lost network). */
  pause(): void {
    this.#process.kill('SIGSTOP');
  }

  resume(): void {
    this.#process.kill('SIGCONT');
  }

  /** Starts it again on the same port, empty. */
  async restart(): Promise<void> {
    await this.kill();
    const child = await launch(this.port);
    if (typeof child === 'string') throw new Error(child);
    this.#process = child;
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error(`Unexpected server address ${String(address)}.`);
  return address.port;
}

/** The running server, or why it did not start. */
async function launch(port: number): Promise<ChildProcess | string> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return new Promise((resolve) => {
    let output = '';
    child.once('error', (error) => resolve(`redis-server could not start (${error.message})`));
    child.once('exit', (code) => resolve(`redis-server exited with code ${code}: ${output.trim()}`));
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        child.removeAllListeners('exit');
        child.stdout.removeAllListeners('data');
        child.stdout.resume();
        resolve(child);
      }
    });
  });
}
