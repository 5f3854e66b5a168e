import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

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
    const [port] = (await freePorts(1)) as [number];
    const child = await launch(port);
    return typeof child === 'string' ? child : new PrivateRedisServer(port, child);
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Stops it, as a crash would: connections drop, nothing is saved. */
  kill(): Promise<void> {
    return stop(this.#process);
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

/**
 * A private Redis Cluster of three masters (no replicas) on free ports of 127.0.0.1, without
 * persistence, made with `redis-cli --cluster create`: for tests and benchmarks that need a
 * cluster of their own (`@cdf-loader/redis/testing`). It needs `redis-server` and `redis-cli` on
 * the PATH, and takes about a second to start.
 */
export class PrivateRedisCluster {
  /** The masters' client ports, in the order `redis-cli` gives them their slots. */
  readonly ports: readonly number[];
  readonly #busPorts: readonly number[];
  readonly #dir: string;
  readonly #processes: ChildProcess[] = [];

  private constructor(ports: readonly number[], busPorts: readonly number[], dir: string) {
    this.ports = ports;
    this.#busPorts = busPorts;
    this.#dir = dir;
  }

  /** Starts one, or says why it cannot (no `redis-server` or `redis-cli` on the PATH, a port taken). */
  static async start(): Promise<PrivateRedisCluster | string> {
    const dir = await mkdtemp(join(tmpdir(), 'cdf-loader-cluster-'));
    // The cluster bus listens on a port of its own: by default the client port + 10000, which may
    // be taken or past 65535, so each node is given a free one.
    const ports = await freePorts(6);
    const cluster = new PrivateRedisCluster(ports.slice(0, 3), ports.slice(3), dir);
    const failure = await cluster.#launch();
    if (failure === undefined) return cluster;
    await cluster.kill();
    return failure;
  }

  /** What `createCluster({ rootNodes })` takes to reach it. */
  get rootNodes(): { url: string }[] {
    return this.ports.map((port) => ({ url: `redis://127.0.0.1:${port}` }));
  }

  /** Stops every master, as a crash would (connections drop, nothing is saved), and removes their cluster files. */
  async kill(): Promise<void> {
    await Promise.all(this.#processes.splice(0).map(stop));
    await rm(this.#dir, { recursive: true, force: true });
  }

  /** Starts it again on the same ports, empty, the slots spread over the masters as before. */
  async restart(): Promise<void> {
    await this.kill();
    const failure = await this.#launch();
    if (failure !== undefined) throw new Error(failure);
  }

  /** Starts the masters and gives them their slots; undefined once they all serve, else why not. */
  async #launch(): Promise<string | undefined> {
    await mkdir(this.#dir, { recursive: true });
    const children = await Promise.all(this.ports.map((port, index) => launch(port, clusterArguments(this.#dir, port, this.#busPorts[index]!))));
    for (const child of children) if (typeof child !== 'string') this.#processes.push(child);
    return children.find((child) => typeof child === 'string') ?? (await this.#create());
  }

  /** Gives the masters their slots; undefined once they all serve, else why not. */
  async #create(): Promise<string | undefined> {
    const nodes = this.ports.map((port) => `127.0.0.1:${port}`);
    try {
      await run('redis-cli', ['--cluster', 'create', ...nodes, '--cluster-replicas', '0', '--cluster-yes'], { timeout: 10_000 });
    } catch (error) {
      return `redis-cli --cluster create failed (${(error as Error).message})`;
    }
    return this.#whenServing();
  }

  /** Undefined once every master says `cluster_state:ok`, or why not after 10 s. */
  async #whenServing(): Promise<string | undefined> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const states = await Promise.all(this.ports.map((port) => clusterState(port)));
      if (states.every((state) => state === 'ok')) return undefined;
      if (Date.now() > deadline) return `the cluster did not come up in 10 s (cluster_state: ${states.join(', ')})`;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

const run = promisify(execFile);

function clusterArguments(dir: string, port: number, busPort: number): string[] {
  return ['--cluster-enabled', 'yes', '--cluster-port', String(busPort), '--cluster-config-file', `nodes-${port}.conf`, '--dir', dir];
}

/** A node's `cluster_state`, or why it could not be read. */
async function clusterState(port: number): Promise<string> {
  try {
    const { stdout } = await run('redis-cli', ['-p', String(port), 'cluster', 'info'], { timeout: 1_000 });
    return /cluster_state:(\w+)/.exec(stdout)?.[1] ?? 'unknown';
  } catch (error) {
    return `unreadable (${(error as Error).message})`;
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}

/** Ports free now, all different: each is held until every one is found. */
async function freePorts(count: number): Promise<number[]> {
  const servers = Array.from({ length: count }, () => createServer().listen(0, '127.0.0.1'));
  try {
    return await Promise.all(
      servers.map(async (server) => {
        await once(server, 'listening');
        const address = server.address();
        if (address === null || typeof address === 'string') throw new Error(`Unexpected server address ${String(address)}.`);
        return address.port;
      }),
    );
  } finally {
    for (const server of servers) server.close();
  }
}

/** The running server, or why it did not start. */
async function launch(port: number, extra: readonly string[] = []): Promise<ChildProcess | string> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...extra], {
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
