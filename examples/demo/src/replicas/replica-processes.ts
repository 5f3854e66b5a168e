import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type PreparedReplica, prepareReplica, type ReplicaJob, type ReplicaOutcome } from './replica.js';
import type { FromReplica, ToReplica } from './replica-messages.js';

/**
 * Serves each job in a replica of its own, and resolves with what each gave, in job order, and
 * the time from their start to the last answer. Every replica makes its loaders first; then all
 * start together. From the build (`pnpm demo`) each replica is a process of its own
 * (`replicas/child.js`), as in a deployment; from the sources (the tests, which cannot fork
 * TypeScript) they run in this process, each with its own loaders and Redis connection.
 */
export async function runReplicas(jobs: readonly ReplicaJob[]): Promise<{ outcomes: ReplicaOutcome[]; wallMs: number }> {
  const prepare = import.meta.url.endsWith('.js') ? forkReplica : prepareReplica;
  const prepared = await Promise.allSettled(jobs.map(prepare));
  const ready = prepared.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failure = prepared.find((result) => result.status === 'rejected');
  if (failure !== undefined) {
    await Promise.all(ready.map((replica) => replica.close()));
    throw failure.reason;
  }
  const startedAt = performance.now();
  const outcomes = await Promise.all(ready.map((replica) => replica.run()));
  return { outcomes, wallMs: performance.now() - startedAt };
}

/** A replica process that has made its loaders and waits for `run`. */
async function forkReplica(job: ReplicaJob): Promise<PreparedReplica> {
  const script = fileURLToPath(new URL('./child.js', import.meta.url));
  // 'advanced' serialization keeps `undefined` (a replica without Redis) intact.
  const child = fork(script, [], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const tell = (message: ToReplica): void => void child.send(message);
  tell({ type: 'job', job });
  const answer = await nextMessage(child);
  if (answer.type !== 'ready') throw new Error(`A replica could not start: ${answer.type === 'error' ? answer.message : answer.type}`);
  return {
    async run() {
      tell({ type: 'go' });
      const result = await nextMessage(child);
      if (result.type !== 'outcome') throw new Error(`A replica failed: ${result.type === 'error' ? result.message : result.type}`);
      return result.outcome;
    },
    async close() {
      child.kill();
    },
  };
}

/** The child's next message, or a rejection if it exits first. */
function nextMessage(child: ChildProcess): Promise<FromReplica> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null): void => reject(new Error(`A replica process exited with code ${code}.`));
    child.once('exit', onExit);
    child.once('error', reject);
    child.once('message', (message: FromReplica) => {
      child.off('exit', onExit);
      child.off('error', reject);
      resolve(message);
    });
  });
}
