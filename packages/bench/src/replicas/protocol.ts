import type { ReplicaResult, ReplicaSetup } from './replica.js';

/** A command from the bench to a replica process, numbered so its reply can be matched. */
export type ReplicaCommand = { seq: number; command: 'prepare'; setup: ReplicaSetup } | { seq: number; command: 'run' | 'release' };

/** A replica process's first message: it listens for commands. */
export interface ReplicaReady {
  type: 'ready';
}

/** A replica's answer to one command: `result` after `run`, `error` when the command failed. */
export interface ReplicaReply {
  type: 'reply';
  seq: number;
  result?: ReplicaResult;
  error?: string;
}
