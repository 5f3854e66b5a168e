import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { ReplicaCommand, ReplicaReady, ReplicaReply } from './protocol.js';
import { inProcessReplicaHost, type ReplicaHost } from './replica-host.js';

/** Replicas to drive, and how to end them. */
export interface ReplicaFleet {
  readonly hosts: readonly ReplicaHost[];
  /** Where they run, for the report. */
  readonly where: 'processes' | 'this process';
  close(): Promise<void>;
}

/**
 * `count` replicas. Run from the build (`pnpm bench`), each is a process of its own
 * (`replicas/child.js`), so replicas share no event loop, as in a deployment. Run from the
 * sources (the harness's test, under vitest) there is no child script to fork: they run in this
 * process, each still with its own loader and Redis connection, as the test runs the fake.
 */
export async function startReplicaFleet(count: number): Promise<ReplicaFleet> {
  if (!import.meta.url.endsWith('.js')) {
    return { hosts: Array.from({ length: count }, inProcessReplicaHost), where: 'this process', close: async () => {} };
  }
  const children = await Promise.all(Array.from({ length: count }, forkReplica));
  return {
    hosts: children.map(({ host }) => host),
    where: 'processes',
    close: async () => {
      await Promise.all(
        children.map(async ({ child }) => {
          const exited = once(child, 'exit');
          child.disconnect();
          await exited;
        }),
      );
    },
  };
}

async function forkReplica(): Promise<{ child: ChildProcess; host: ReplicaHost }> {
  const script = fileURLToPath(new URL('./child.js', import.meta.url));
  // 'advanced' serialization keeps `undefined` (a replica without Redis) intact.
  const child = fork(script, [], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  await new Promise<ReplicaReady>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`a replica process exited with code ${code} before it was ready`)));
    child.once('message', resolve);
  });
  child.removeAllListeners('exit');
  child.removeAllListeners('error');
  const waiting = new Map<number, { resolve: (reply: ReplicaReply) => void; reject: (error: Error) => void }>();
  let seq = 0;
  child.on('exit', (code) => {
    for (const { reject } of waiting.values()) reject(new Error(`a replica process exited with code ${code}`));
    waiting.clear();
  });
  child.on('message', (reply: ReplicaReply) => {
    const entry = waiting.get(reply.seq);
    waiting.delete(reply.seq);
    if (reply.error === undefined) entry?.resolve(reply);
    else entry?.reject(new Error(`replica: ${reply.error}`));
  });
  const call = (command: ReplicaCommand extends infer C ? (C extends ReplicaCommand ? Omit<C, 'seq'> : never) : never): Promise<ReplicaReply> =>
    new Promise((resolve, reject) => {
      const message = { ...command, seq: ++seq } as ReplicaCommand;
      waiting.set(message.seq, { resolve, reject });
      child.send(message);
    });
  return {
    child,
    host: {
      prepare: async (setup) => void (await call({ command: 'prepare', setup })),
      run: async () => {
        const { result } = await call({ command: 'run' });
        if (result === undefined) throw new Error('a replica answered `run` without its result');
        return result;
      },
      release: async () => void (await call({ command: 'release' })),
    },
  };
}
