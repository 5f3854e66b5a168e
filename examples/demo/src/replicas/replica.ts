import { redisCache, redisConcurrency } from '@cdf-loader/redis';
import { createClient } from 'redis';
import { serveOperations } from '../serve.js';
import { createCdfLoaderStrategy, type ReplicaSharing } from '../strategies/cdf-loader.js';
import type { CatalogueAsset, Operation } from '../workload.js';

/** The Redis replicas share a cache and a concurrency budget through. */
export interface SharedRedis {
  url: string;
  /** Starts every key of the run, so each run starts with nothing shared and leaves nothing in another's way. */
  keyPrefix: string;
  /** Most byids requests in flight across every replica together. */
  limit: number;
}

/** What one replica serves. Plain data: it crosses to the replica's process over IPC. */
export interface ReplicaJob {
  target: { baseUrl: string; project: string; token: string };
  /** The asset catalogue, as every replica holds it. */
  assets: CatalogueAsset[];
  /** This replica's share of the operations. */
  operations: Operation[];
  /** Its operations in flight at once. */
  concurrency: number;
  /** `undefined`: the replica is on its own, with its local cache and limit only. */
  redis: SharedRedis | undefined;
}

/** What one replica's operations gave. */
export interface ReplicaOutcome {
  /** The GraphQL answer of each of its operations, in the order of the job. */
  bodies: unknown[];
  /** Each operation's time in ms, ascending. */
  latenciesMs: number[];
  loads: number;
  /** Keys Redis answered instead of CDF (`stats().sharedHits`). */
  sharedHits: number;
}

/** A replica ready to serve: its loaders (and Redis connection) are made, nothing is sent yet. */
export interface PreparedReplica {
  /** Serves the job's operations, then closes the loaders and the Redis connection. */
  run(): Promise<ReplicaOutcome>;
  /** Closes the loaders and the Redis connection without serving (another replica could not start). */
  close(): Promise<void>;
}

const APP_ID = 'cdf-loader-demo-replica';

/**
 * One replica of a GraphQL service: graphql-yoga with cdf-loader (one `createCdfLoaders`, a
 * `forRequest()` per operation), and with `redis` its own connection, `redisCache` and
 * `redisConcurrency`, as each process of a deployment would have.
 */
export async function prepareReplica(job: ReplicaJob): Promise<PreparedReplica> {
  const { target, redis } = job;
  let sharing: ReplicaSharing = {};
  let closeSharing = async (): Promise<void> => {};
  if (redis !== undefined) {
    const client = createClient({ url: redis.url });
    // node-redis reconnects by itself; without a listener a dropped connection would end the process.
    client.on('error', () => {});
    await client.connect();
    const shared = redisCache({ client, keyPrefix: redis.keyPrefix });
    const budget = redisConcurrency({ client, key: `${redis.keyPrefix}concurrency`, limit: redis.limit });
    await shared.listening();
    sharing = { cache: { shared }, sharedConcurrency: budget };
    closeSharing = async () => {
      await Promise.all([shared.close(), budget.close()]);
      await client.close();
    };
  }
  const strategy = createCdfLoaderStrategy({ baseUrl: target.baseUrl, project: target.project, getToken: () => target.token, appId: APP_ID, fetch: globalThis.fetch }, sharing);
  const close = async (): Promise<void> => {
    await strategy.loaders.close();
    await closeSharing();
  };
  return {
    async run() {
      try {
        const served = await serveOperations(new Map(job.assets.map((asset) => [asset.id, asset])), job.operations, strategy, job.concurrency);
        return { bodies: served.bodies, latenciesMs: served.latenciesMs, loads: served.loads, sharedHits: strategy.loaders.files.stats().sharedHits };
      } finally {
        await close();
      }
    },
    close,
  };
}
