// A child process of `runIsolated`: builds a scenario's contenders and workload afresh, runs the
// task's rounds as they come (no GC forced), and reports each over IPC. Runs when started.
import type { Contender, Outcome, Target } from '../contenders/contender.js';
import { b2Setup } from '../scenarios/b2-cpu-per-load.js';
import { b3Contenders } from '../scenarios/b3-graphql.js';
import { b4Contenders } from '../scenarios/b4-throttled.js';
import { GRAPHQL_SIZES, graphqlWorkload } from '../scenarios/graphql.js';
import type { Workload } from '../workload.js';
import { allocatedBytes } from './allocation.js';
import type { ChildMessage, IsolatedScenarioId, IsolatedSetup, IsolatedTask, Pass } from './isolated-protocol.js';
import { measureAsIs } from './measure.js';

const SETUPS: Record<IsolatedScenarioId, (task: IsolatedTask) => IsolatedSetup> = {
  B2: (task) => b2Setup(task.profile, task.pass),
  B3: (task) => ({ contenders: b3Contenders(task.profile).all, workload: graphqlWorkload(task.fileIds ?? [], GRAPHQL_SIZES[task.profile]) }),
  B4: (task) => ({ contenders: b4Contenders().all, workload: graphqlWorkload(task.fileIds ?? [], GRAPHQL_SIZES[task.profile]) }),
};

process.once('message', (task: IsolatedTask) => {
  run(task).then(
    () => finish(),
    (error: unknown) => finish({ type: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  );
});

async function run(task: IsolatedTask): Promise<void> {
  const setup = SETUPS[task.scenario](task);
  const target = task.target ?? setup.target;
  if (target === undefined) throw new Error(`${task.scenario} has no target of its own: the task must name one`);
  const contenders = task.contenders.map((name) => {
    const contender = setup.contenders.find((candidate) => candidate.name === name);
    if (contender === undefined) throw new Error(`${task.scenario} has no contender named ${JSON.stringify(name)}`);
    return contender;
  });
  if (task.allocation) {
    for (const contender of contenders) {
      // The first session runs as a service's first burst would; the second is sampled.
      await (await session(contender, target, setup.workload, task.pass))();
      const measured = await session(contender, target, setup.workload, task.pass);
      let outcome: Outcome | undefined;
      const bytes = await allocatedBytes(async () => (outcome = await measured()));
      send({ type: 'allocation', contender: contender.name, bytesPerLoad: bytes / Math.max(1, outcome!.loads) });
    }
    return;
  }
  for (let round = 0; round < task.rounds; round++) {
    for (let turn = 0; turn < contenders.length; turn++) {
      const contender = contenders[(round + turn) % contenders.length]!;
      const measured = await session(contender, target, setup.workload, task.pass);
      await ready();
      const { result, measurement } = await measureAsIs(measured);
      send({ type: 'sample', contender: contender.name, measurement, outcome: result });
    }
  }
}

/** A fresh session of the contender; for the `hot` pass, after its first run, unmeasured. */
async function session(contender: Contender, target: Target, workload: Workload, pass: Pass): Promise<() => Promise<Outcome>> {
  const run = contender.prepare(target, workload);
  if (pass === 'hot') await run();
  return run;
}

/** Tells the parent a round is about to start, and waits for its go (the fake's counters zeroed). */
function ready(): Promise<void> {
  return new Promise((resolve) => {
    process.once('message', () => resolve());
    send({ type: 'ready' });
  });
}

function send(message: ChildMessage): void {
  process.send!(message);
}

/** Exits once the last message is handed over: keep-alive sockets must not hold the process. */
function finish(last?: ChildMessage): void {
  if (last !== undefined) process.exitCode = 1;
  process.send!(last ?? { type: 'done' }, () => process.exit());
}
