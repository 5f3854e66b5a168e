import { PrivateRedisServer } from '@cdf-loader/redis/testing';

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
  const server = await PrivateRedisServer.start();
  if (typeof server === 'string') return `No Redis to share: REDIS_URL is not set, and ${server}. ${HOW_TO_GET_REDIS}`;
  return {
    url: server.url,
    description: `a private redis-server on 127.0.0.1:${server.port}, started for this run`,
    stop: () => server.kill(),
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
