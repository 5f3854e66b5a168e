import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';

/** The Redis the replicas share: its URL, and how to stop it when the bench started it. */
export interface BenchRedis {
  url: string;
  /** Where it came from, for the report: `REDIS_URL`, or a private redis-server. */
  source: string;
  stop(): Promise<void>;
}

/**
 * `REDIS_URL` when set; else a private `redis-server` (no persistence) on a free port of
 * 127.0.0.1, stopped by `stop()`; else the reason neither is there, saying how to get one.
 */
export async function redisForBench(env: Readonly<Record<string, string | undefined>> = process.env): Promise<BenchRedis | string> {
  const url = env.REDIS_URL;
  if (url !== undefined && url !== '') return { url, source: 'REDIS_URL', stop: async () => {} };
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const started = await new Promise<string | undefined>((resolve) => {
    let output = '';
    child.once('error', (error) => resolve(error.message));
    child.once('exit', (code) => resolve(`redis-server exited with code ${code}: ${output.trim()}`));
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) resolve(undefined);
    });
  });
  if (started !== undefined) {
    return `no Redis: REDIS_URL is not set and redis-server could not start (${started}). Set REDIS_URL, or install Redis (apt-get install redis-server, brew install redis).`;
  }
  child.removeAllListeners('exit');
  child.stdout.removeAllListeners('data');
  child.stdout.resume();
  return {
    url: `redis://127.0.0.1:${port}`,
    source: `a private redis-server on port ${port}`,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill();
      await exited;
    },
  };
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
