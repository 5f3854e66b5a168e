import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';

/** The Redis the replicas share, and how to stop it when the demo started it. */
export interface DemoRedis {
  url: string;
  /** Where it is, for the report, without a password `REDIS_URL` may hold. */
  description: string;
  stop(): Promise<void>;
}

/** How to get a Redis, for the message when there is none. */
export const HOW_TO_GET_REDIS =
  'Set REDIS_URL (such as REDIS_URL=redis://localhost:6379), or install Redis so the demo can start a private redis-server ' +
  '(apt-get install redis-server, brew install redis, or docker run -p 6379:6379 redis and REDIS_URL=redis://localhost:6379).';

/**
 * `redisUrl` (from `REDIS_URL`) when given; else a private `redis-server` without persistence on
 * a free port of 127.0.0.1, stopped by `stop()`; else a message saying neither is there and how
 * to get one.
 */
export async function openRedis(redisUrl: string | undefined): Promise<DemoRedis | string> {
  if (redisUrl !== undefined) return { url: redisUrl, description: `REDIS_URL (${hostOf(redisUrl)})`, stop: async () => {} };
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const failure = await new Promise<string | undefined>((resolve) => {
    let output = '';
    child.once('error', (error) => resolve(error.message));
    child.once('exit', (code) => resolve(`it exited with code ${code}: ${output.trim()}`));
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) resolve(undefined);
    });
  });
  if (failure !== undefined) return `No Redis to share: REDIS_URL is not set, and redis-server could not start (${failure}). ${HOW_TO_GET_REDIS}`;
  child.removeAllListeners('exit');
  child.stdout.removeAllListeners('data');
  child.stdout.resume();
  return {
    url: `redis://127.0.0.1:${port}`,
    description: `a private redis-server on 127.0.0.1:${port}, started for this run`,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill();
      await exited;
    },
  };
}

/** `host:port` of a Redis URL, never its user or password. */
function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'not a URL';
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
