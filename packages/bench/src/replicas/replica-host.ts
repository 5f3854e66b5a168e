import { Replica, type ReplicaResult, type ReplicaSetup } from './replica.js';

/** One replica as the scenario drives it, in this process or in its own. */
export interface ReplicaHost {
  /** Builds the run's fresh loader (and Redis connection), before the clock starts. */
  prepare(setup: ReplicaSetup): Promise<void>;
  run(): Promise<ReplicaResult>;
  /** Closes what `prepare` built. */
  release(): Promise<void>;
}

/** A replica in this process: what a replica process runs, and what the harness's test runs directly. */
export function inProcessReplicaHost(): ReplicaHost {
  let replica: Replica | undefined;
  const prepared = (): Replica => {
    if (replica === undefined) throw new Error('`run` before `prepare`: the replica has no loader');
    return replica;
  };
  return {
    async prepare(setup) {
      await replica?.close();
      replica = await Replica.prepare(setup);
    },
    run: () => prepared().run(),
    async release() {
      await replica?.close();
      replica = undefined;
    },
  };
}
