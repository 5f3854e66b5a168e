import { type Burst, type Operation, type Workload } from '../workload.js';
import { type Contender, emptyOutcome, type Item, type Outcome, type Target } from './contender.js';

/** Loads one wave of one operation; each place holds the item, null, or the error of that load. */
export type LoadWave = (ids: readonly number[]) => Promise<(Item | null | Error)[]>;

/** Sets up one run against `target` and returns how each operation gets its `LoadWave`. */
export type StartSession = (target: Target) => () => LoadWave;

/**
 * A contender that serves each operation through a `LoadWave`: the loaders users call from
 * resolvers. `maxOperations` bounds a contender too slow for the whole workload (the N+1 one):
 * it runs only the first operations of each burst.
 */
export function loaderContender(name: string, startSession: StartSession, maxOperations = Number.POSITIVE_INFINITY): Contender {
  return {
    name,
    prepare(target, workload) {
      const operationLoader = startSession(target);
      return () => runWorkload(workload, operationLoader, maxOperations);
    },
  };
}

async function runWorkload(workload: Workload, operationLoader: () => LoadWave, maxOperations: number): Promise<Outcome> {
  const outcome = emptyOutcome();
  let running: Promise<void>[] = [];
  let first = true;
  for (const burst of workload.bursts()) {
    if (!first) running = await waitFor(burst, running);
    first = false;
    for (const operation of burst.operations.slice(0, maxOperations)) {
      running.push(runOperation(operationLoader(), operation, outcome));
    }
  }
  await Promise.all(running);
  return outcome;
}

/** Waits as the burst asks; returns the operations still to await. */
async function waitFor(burst: Burst, running: Promise<void>[]): Promise<Promise<void>[]> {
  const { after } = burst;
  if (after === 'settled') {
    await Promise.all(running);
    return [];
  }
  await new Promise((resolve) => setTimeout(resolve, after));
  return running;
}

async function runOperation(load: LoadWave, operation: Operation, outcome: Outcome): Promise<void> {
  outcome.operations++;
  for (const wave of operation) {
    const results = await load(wave);
    outcome.loads += wave.length;
    for (let index = 0; index < wave.length; index++) {
      const result = results[index];
      if (result instanceof Error) outcome.failed++;
      else if (result?.id !== wave[index]) outcome.wrong++;
    }
  }
}
