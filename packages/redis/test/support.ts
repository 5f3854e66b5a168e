import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { startMockCdf, type MockCdf, type MockCdfOptions } from '@cdf-loader/mock-cdf';
import type { LoaderOptions } from 'cdf-loader';
import { createClient, createCluster } from 'redis';
import type { RedisClient, RedisCluster } from '../src/index.js';
import { PrivateRedisCluster, PrivateRedisServer as PrivateRedis } from '../src/testing.js';

/** A client as the tests use it: `createClient()`'s. */
export type TestClient = ReturnType<typeof createClient>;

/** A cluster as the tests use it: `createCluster()`'s. */
export type TestCluster = ReturnType<typeof createCluster>;

/** A redis-server of the test file's own: the tests can stop, pause and restart it. */
export { PrivateRedis };

/**
 * The Redis the test file runs against: `REDIS_URL` when set, else a private redis-server stopped
 * after the file. Without either the file's tests are skipped, with the reason printed — or fail,
 * when `CDF_LOADER_REQUIRE_REDIS=1` (as in CI).
 */
export async function redisForTests(): Promise<{ url: string } | undefined> {
  const url = process.env.REDIS_URL;
  if (url === undefined || url === '') return privateRedisForTests('REDIS_URL or redis-server on PATH');
  afterAll(async () => {
    const client = await connect(url);
    for await (const keys of client.scanIterator({ MATCH: `${namesOfThisFile}*`, COUNT: 1000 })) {
      if (keys.length > 0) await client.unlink(keys);
    }
  });
  return { url };
}

/** A name for keys, or the start of keys, that no other test uses; under `REDIS_URL` they are removed after the file. */
export function uniqueName(): string {
  return `${namesOfThisFile}${++namesGiven}`;
}

const namesOfThisFile = `cdf-loader-test-${randomUUID()}-`;
let namesGiven = 0;

/** A private redis-server for this test file (for tests that stop it), or the same skip-or-fail as `redisForTests`. */
export async function privateRedisForTests(needs = 'redis-server on PATH, since they stop it'): Promise<PrivateRedis | undefined> {
  return startedOrSkipped(await PrivateRedis.start(), needs);
}

/** A private 3-master Redis Cluster for this test file, or the same skip-or-fail as `redisForTests`. */
export async function privateClusterForTests(): Promise<PrivateRedisCluster | undefined> {
  return startedOrSkipped(await PrivateRedisCluster.start(), 'redis-server and redis-cli on PATH, to start a Redis Cluster');
}

/** What started, stopped after the test file; or, for why it did not, a skip with the reason printed (a failure in CI). */
function startedOrSkipped<T extends { kill(): Promise<void> }>(started: T | string, needs: string): T | undefined {
  if (typeof started === 'string') {
    const reason = `these Redis tests need ${needs}: ${started}`;
    if (process.env.CDF_LOADER_REQUIRE_REDIS === '1') throw new Error(`${reason} (CDF_LOADER_REQUIRE_REDIS=1).`);
    console.warn(`Skipped: ${reason}`);
    return undefined;
  }
  afterAll(() => started.kill());
  return started;
}

/**
 * A Redis the same tests run against, one server or a cluster: `connect` gives a connection of its
 * own (replicas meet only through Redis), `undefined` when that Redis could not start (skipped).
 */
export interface RedisTopology {
  name: string;
  connect: (() => Promise<TestClient | TestCluster>) | undefined;
}

/** The Redis of `redisForTests`, and a private 3-master cluster: tests that matter on both run on each. */
export async function redisTopologiesForTests(): Promise<RedisTopology[]> {
  const server = await redisForTests();
  const cluster = await privateClusterForTests();
  return [
    { name: 'one Redis server', connect: server && (() => connect(server.url)) },
    { name: 'a 3-master Redis Cluster', connect: cluster && (() => connectCluster(cluster)) },
  ];
}

/** A connected cluster client, destroyed after the test file; its nodes' connection errors are expected here. */
export async function connectCluster(cluster: PrivateRedisCluster): Promise<TestCluster> {
  const client = createCluster({ rootNodes: cluster.rootNodes });
  client.on('error', () => {});
  openClients.add(client);
  return client.connect();
}

/**
 * A connected client, destroyed after the test file. It survives its server going away: node-redis
 * reconnects, and its connection errors are expected here.
 */
export async function connect(url: string): Promise<TestClient> {
  const client = createClient({ url });
  client.on('error', () => {});
  openClients.add(client);
  return client.connect();
}

const openClients = new Set<TestClient | TestCluster>();
afterAll(() => {
  for (const client of openClients) if (client.isOpen) client.destroy();
});

/** Whether the client is connected: for a cluster, to every master. */
export function isConnected(client: TestClient | TestCluster): boolean {
  return isTestCluster(client) ? client.masters.every((master) => master.client?.isReady === true) : client.isReady;
}

/** Resolves when the client is connected again after its server (or every master of its cluster) came back. */
export async function reconnected(client: TestClient | TestCluster): Promise<void> {
  if (isTestCluster(client)) await until(() => isConnected(client), 'the cluster client to reconnect to every master', 10_000);
  else if (!client.isReady) await once(client, 'ready');
}

/** A client that records the calls this package makes on it. */
export interface CountingClient {
  client: RedisClient | RedisCluster;
  /** The command (EVALSHA, EVAL, …) of every call sent: one entry is one round trip. */
  commands: string[];
  /** How many of them Redis has answered (or failed). */
  readonly answered: number;
}

/** The client or cluster, seen through a window that records each call; `onCommand` runs as each is sent. */
export function countingClient(client: TestClient | TestCluster, onCommand: (command: string) => void = () => {}): CountingClient {
  let answered = 0;
  const count = (command: string, reply: Promise<unknown>): Promise<unknown> => {
    counting.commands.push(command);
    reply.then(
      () => answered++,
      () => answered++,
    );
    onCommand(command);
    return reply;
  };
  const counting: CountingClient = {
    client: isTestCluster(client) ? countingCluster(client, count) : countingSingle(client, count),
    commands: [],
    get answered() {
      return answered;
    },
  };
  return counting;
}

function isTestCluster(client: TestClient | TestCluster): client is TestCluster {
  return 'masters' in client;
}

type Count = (command: string, reply: Promise<unknown>) => Promise<unknown>;

function countingSingle(client: TestClient, count: Count): RedisClient {
  return {
    get isReady() {
      return client.isReady;
    },
    sendCommand: (args, options) => count(args[0] ?? '', client.sendCommand(args, options)),
    duplicate: () => client.duplicate(),
    on: (event, listener) => client.on(event, listener),
  };
}

function countingCluster(cluster: TestCluster, count: Count): RedisCluster {
  return {
    get isOpen() {
      return cluster.isOpen;
    },
    get masters() {
      return cluster.masters;
    },
    sendCommand: (firstKey, isReadonly, args, options) => count(args[0] ?? '', cluster.sendCommand(firstKey, isReadonly, args, options)),
    subscribe: (channel, listener) => cluster.subscribe(channel, listener),
    unsubscribe: (channel, listener) => cluster.unsubscribe(channel, listener),
    on: (event, listener) => cluster.on(event, listener),
  };
}

/**
 * Resolves once `condition` holds, looking every few milliseconds; rejects naming `what` when it
 * still does not hold after `timeoutMs`, so a test that waits for something that never happens
 * fails with a reason instead of at the test's timeout.
 */
export async function until(condition: () => boolean | Promise<boolean>, what = 'the condition', timeoutMs = 5_000): Promise<void> {
  // Wall-clock time: a test may fake `performance`.
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Waited ${timeoutMs} ms for ${what}, in vain.`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * One fake CDF for the test file, its log and counters emptied before each test. Returns an
 * accessor, since the server starts in `beforeAll`.
 */
export function useMockCdf(options: MockCdfOptions = {}): () => MockCdf {
  let cdf: MockCdf | undefined;
  beforeAll(async () => {
    cdf = await startMockCdf(options);
  });
  afterAll(() => cdf?.close());
  beforeEach(() => cdf?.reset());
  return () => {
    if (cdf === undefined) throw new Error('the fake CDF is not started yet');
    return cdf;
  };
}

/** Loader options pointing at the fake, with its token. */
export function loaderOptions(cdf: MockCdf, extra: Partial<LoaderOptions> = {}): LoaderOptions {
  return { baseUrl: cdf.url, project: cdf.project, getToken: () => cdf.token, ...extra };
}

/** The number of items in each byids request the fake received, in arrival order. */
export function byIdsRequestSizes(cdf: MockCdf): number[] {
  return cdf.log.filter((entry) => entry.resource !== null).map((entry) => entry.items.length);
}
