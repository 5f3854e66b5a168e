import { redisCache, redisConcurrency, redisRate } from '@cdf-loader/redis';
import { createFilesLoader, type FilesLoader } from 'cdf-loader';
import { createClient, createCluster } from 'redis';
import type { Outcome, Target } from '../contenders/contender.js';
import { type LoadWave, loaderContender } from '../contenders/loader-contender.js';
import { type Burst, workloadOf } from '../workload.js';

/** The Redis a replica shares its cache, concurrency budget and (with `perSecond`) request rate through. */
export interface SharedRedis {
  /** The server's URL, or for a cluster one master's. */
  url: string;
  /** A Redis Cluster, reached with `createCluster`. */
  cluster: boolean;
  /** Starts every key of the run (cache entries and the budget's leases), so each run starts with nothing shared. No `{` or `}`. */
  keyPrefix: string;
  /** Most byids requests in flight across all replicas together (`redisConcurrency`'s `limit`). */
  limit: number;
  /** Most requests a second across all replicas together (`redisRate`'s `perSecond`); none when absent. */
  perSecond?: number | undefined;
}

/** What one replica does in one run. Plain data: it crosses to the replica's process over IPC. */
export interface ReplicaSetup {
  target: Omit<Target, 'fetch'>;
  /** The loader's own limit (`maxConcurrency`). */
  maxConcurrency: number;
  /** `undefined`: the replica is on its own, with its local cache and limit only. */
  redis: SharedRedis | undefined;
  /** This replica's share of the operations, at the times the workload gives. */
  bursts: Burst[];
  /** The local cache's `max` entries; default the loader's (10,000). B10 keeps it below the hot set, so the replicas keep reading Redis. */
  cacheMax?: number;
  /**
   * Whether the replica listens for its node-redis client's `'error'` events, as a careful user
   * does. Default true; B10 runs without, to show the adapter keeps the process alive by itself.
   */
  errorListener?: boolean;
}

/** What one replica measured in one run. */
export interface ReplicaResult {
  outcome: Outcome;
  /** Each operation's time, from its first level asked to its last level answered, in ms. */
  latenciesMs: number[];
  /** Keys the shared tier answered instead of CDF (`stats().sharedHits`). */
  sharedHits: number;
}

/**
 * One replica of a service for one run: a `createFilesLoader` of its own, and with `redis` its own
 * connection, `redisCache` and `redisConcurrency` (and `redisRate` with `perSecond`). Everything is set up by `prepare`, before the
 * clock starts; `run` serves its operations as the bench's contenders do, timing each one.
 */
export class Replica {
  readonly #files: FilesLoader;
  readonly #run: () => Promise<Outcome>;
  readonly #timings: { startedAt: number; endedAt: number }[];
  readonly #close: () => Promise<unknown>;

  private constructor(files: FilesLoader, run: () => Promise<Outcome>, timings: { startedAt: number; endedAt: number }[], close: () => Promise<unknown>) {
    this.#files = files;
    this.#run = run;
    this.#timings = timings;
    this.#close = close;
  }

  static async prepare({ target, maxConcurrency, redis, bursts, cacheMax, errorListener = true }: ReplicaSetup): Promise<Replica> {
    const connection = { baseUrl: target.baseUrl, project: target.project, getToken: () => target.token, maxConcurrency };
    let files: FilesLoader;
    let closeShared = (): Promise<unknown> => Promise.resolve();
    if (redis === undefined) {
      files = createFilesLoader(connection);
    } else {
      const client = redis.cluster ? createCluster({ rootNodes: [{ url: redis.url }] }) : createClient({ url: redis.url });
      // node-redis reconnects by itself and emits an error at each attempt; @cdf-loader/redis listens too.
      if (errorListener) client.on('error', () => {});
      await client.connect();
      const shared = redisCache({ client, keyPrefix: redis.keyPrefix, ttlMs: 60_000 });
      const budget = redisConcurrency({ client, key: `${redis.keyPrefix}concurrency`, limit: redis.limit });
      await shared.listening();
      const sharedRate = redis.perSecond === undefined ? undefined : redisRate({ client, key: `${redis.keyPrefix}rate`, perSecond: redis.perSecond });
      const cache = { shared, ...(cacheMax !== undefined && { max: cacheMax }) };
      files = createFilesLoader({ ...connection, cache, sharedConcurrency: budget, ...(sharedRate && { sharedRate }) });
      closeShared = async () => {
        await Promise.all([shared.close(), budget.close()]);
        // Not `close()`: after a paused or killed Redis it was seen waiting forever for a command
        // node-redis never wrote (the server idle, the replica's subscribers already closed), so
        // B10 hung between runs. The run is over and its keys are never used again.
        client.destroy();
      };
    }
    const wave: LoadWave = (ids) => files.loadMany(ids.map((id) => ({ id })));
    const timings: { startedAt: number; endedAt: number }[] = [];
    // An operation's loader is asked for as the operation starts; its last wave answered ends it.
    const timedOperation = (): LoadWave => {
      const timing = { startedAt: performance.now(), endedAt: Number.NaN };
      timings.push(timing);
      return async (ids) => {
        const results = await wave(ids);
        timing.endedAt = performance.now();
        return results;
      };
    };
    const run = loaderContender('replica', () => timedOperation).prepare(target, workloadOf(bursts));
    return new Replica(files, run, timings, async () => {
      await files.close();
      await closeShared();
    });
  }

  async run(): Promise<ReplicaResult> {
    const outcome = await this.#run();
    return {
      outcome,
      latenciesMs: this.#timings.map(({ startedAt, endedAt }) => endedAt - startedAt),
      sharedHits: this.#files.stats().sharedHits,
    };
  }

  /** Closes the loader, then the adapters and the Redis connection. */
  close(): Promise<unknown> {
    return this.#close();
  }
}
