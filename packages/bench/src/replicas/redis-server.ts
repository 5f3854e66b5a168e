import { PrivateRedisCluster, PrivateRedisServer } from '@cdf-loader/redis/testing';

/** The Redis the replicas share: its URL, and how to stop it when the bench started it. */
export interface BenchRedis {
  /** The server's URL, or for a cluster one master's, from which node-redis finds the others. */
  url: string;
  /** A Redis Cluster (replicas connect with `createCluster`), or one server. */
  cluster: boolean;
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
  if (url !== undefined && url !== '') return { url, cluster: false, source: 'REDIS_URL', stop: async () => {} };
  const server = await PrivateRedisServer.start();
  if (typeof server === 'string') {
    return `no Redis: REDIS_URL is not set and ${server}. Set REDIS_URL, or install Redis (apt-get install redis-server, brew install redis).`;
  }
  return { url: server.url, cluster: false, source: `a private redis-server on port ${server.port}`, stop: () => server.kill() };
}

/** A private 3-master Redis Cluster (no persistence) on free ports of 127.0.0.1, stopped by `stop()`; else why not. */
export async function redisClusterForBench(): Promise<BenchRedis | string> {
  const cluster = await PrivateRedisCluster.start();
  if (typeof cluster === 'string') return `no Redis Cluster: ${cluster}. It needs redis-server and redis-cli on the PATH.`;
  return {
    url: cluster.rootNodes[0]!.url,
    cluster: true,
    source: `a private 3-master Redis Cluster on ports ${cluster.ports.join(', ')}`,
    stop: () => cluster.kill(),
  };
}
