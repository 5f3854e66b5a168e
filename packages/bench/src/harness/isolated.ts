import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Contender, Outcome } from '../contenders/contender.js';
import type { FakeCdf, FakeCdfCounters } from '../fake/fake-cdf.js';
import type { ChildMessage, IsolatedTask } from './isolated-protocol.js';
import type { Measurement } from './measure.js';

/** Where the child entry is: beside this module once built (tests point at the build). */
export const DEFAULT_CHILD_SCRIPT = fileURLToPath(new URL('./isolated-child.js', import.meta.url));

/** One run measured in a child process. */
export interface IsolatedSample {
  contender: string;
  measurement: Measurement;
  outcome: Outcome;
  /** What the fake saw during the run; undefined for the in-memory CDF. */
  counters: FakeCdfCounters | undefined;
}

/** How to run a task in a fresh process. */
export interface IsolatedOptions {
  childScript: string;
  /** The fake CDF the task loads from, whose counters are zeroed before each round and read after it. */
  fake?: FakeCdf | undefined;
  /** Extra node flags for the child, such as `--cpu-prof`. */
  execArgv?: readonly string[];
}

/**
 * Runs a task in a fresh Node process: what a service that just started pays, its JIT cold and
 * its heap new, with no GC forced anywhere. Returns the samples, or the bytes per load with
 * `task.allocation`.
 */
export async function runIsolated(task: IsolatedTask, options: IsolatedOptions): Promise<{ samples: IsolatedSample[]; bytesPerLoad: Map<string, number> }> {
  const child = fork(options.childScript, [], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [...(options.execArgv ?? [])] });
  const samples: IsolatedSample[] = [];
  const bytesPerLoad = new Map<string, number>();
  const { fake } = options;
  let failure: Error | undefined;
  // Messages are handled one after another: a round's counters are read before the next round starts.
  let handling = Promise.resolve();
  child.on('message', (message: ChildMessage) => {
    handling = handling.then(async () => {
      switch (message.type) {
        case 'ready':
          await fake?.reset();
          child.send({ type: 'go' });
          return;
        case 'sample':
          samples.push({ contender: message.contender, measurement: message.measurement, outcome: message.outcome, counters: await fake?.counters() });
          return;
        case 'allocation':
          bytesPerLoad.set(message.contender, message.bytesPerLoad);
          return;
        case 'done':
          return;
        case 'failed':
          failure = new Error(`isolated run of ${task.contenders.join(', ')} in ${task.scenario} failed: ${message.error}`);
          return;
      }
    });
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  child.send(task);
  const code = await exited;
  await handling;
  if (failure !== undefined) throw failure;
  if (code !== 0) throw new Error(`isolated run of ${task.contenders.join(', ')} in ${task.scenario} exited with code ${code}`);
  return { samples, bytesPerLoad };
}

/**
 * Runs each contender in processes of its own, `passes` processes each with an equal share of
 * `rounds`, taking turns pass by pass so that drift on a shared machine falls on all alike.
 */
export async function isolatedRounds(
  base: Omit<IsolatedTask, 'contenders' | 'rounds' | 'allocation'>,
  contenders: readonly Contender[],
  rounds: number,
  options: IsolatedOptions,
): Promise<Map<Contender, IsolatedSample[]>> {
  const passes = processesPerContender(rounds);
  const result = new Map<Contender, IsolatedSample[]>(contenders.map((contender) => [contender, []]));
  for (let pass = 0; pass < passes; pass++) {
    const share = Math.ceil(rounds / passes);
    for (let turn = 0; turn < contenders.length; turn++) {
      const contender = contenders[(turn + pass) % contenders.length]!;
      const { samples } = await runIsolated({ ...base, contenders: [contender.name], rounds: share, allocation: false }, options);
      result.get(contender)!.push(...samples);
    }
  }
  return result;
}

/** Processes each contender runs in for `rounds` rounds (see `isolatedRounds`): two from 4 rounds up, so drift falls on all alike. */
export function processesPerContender(rounds: number): number {
  return rounds >= 4 ? 2 : 1;
}
