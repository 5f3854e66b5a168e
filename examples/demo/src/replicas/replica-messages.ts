import type { ReplicaJob, ReplicaOutcome } from './replica.js';

/** What the demo tells a replica process: its job, then to go. */
export type ToReplica = { type: 'job'; job: ReplicaJob } | { type: 'go' };

/** What a replica process tells the demo: ready (its loaders are made), what its operations gave, or why it failed. */
export type FromReplica = { type: 'ready' } | { type: 'outcome'; outcome: ReplicaOutcome } | { type: 'error'; message: string };
