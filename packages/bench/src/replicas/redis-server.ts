import { PrivateRedisServer } from '@cdf-loader/redis/testing';

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
  const server = await PrivateRedisServer.start();
  if (typeof server === 'string') {
    return `no Redis: REDIS_URL is not set and ${server}. Set REDIS_URL, or install Redis (apt-get install redis-server, brew install redis).`;
  }
  return { url: server.url, source: `a private redis-server on port ${server.port}`, stop: () => server.kill() };
}
