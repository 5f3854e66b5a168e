import type { Contender, Outcome, Target } from '../contenders/contender.js';
import type { Workload } from '../workload.js';
import type { Profile } from '../scenarios/scenario.js';
import type { Measurement } from './measure.js';

/** What a run measures: a fresh session's first pass (`cold`), or its second, on what the first left (`hot`). */
export type Pass = 'cold' | 'hot';

/** The scenarios whose contenders can run in a process of their own. */
export type IsolatedScenarioId = 'B2' | 'B3' | 'B4';

/** What the parent asks a child process to run. */
export interface IsolatedTask {
  scenario: IsolatedScenarioId;
  profile: Profile;
  /** Contenders by name, run alternately round by round (one, for a process of its own). */
  contenders: string[];
  rounds: number;
  pass: Pass;
  /** The fake CDF to load from; none: the scenario's in-memory CDF. */
  target: Omit<Target, 'fetch'> | undefined;
  /** The fake's file ids, for the scenario's workload. */
  fileIds: readonly number[] | undefined;
  /** Instead of timing rounds: bytes allocated per load in the last round, under V8's sampling heap profiler. */
  allocation: boolean;
}

/** From the child: about to start a round (the parent zeroes the fake's counters, then answers `go`). */
export interface ReadyMessage {
  type: 'ready';
}
export interface SampleMessage {
  type: 'sample';
  contender: string;
  measurement: Measurement;
  outcome: Outcome;
}
export interface AllocationMessage {
  type: 'allocation';
  contender: string;
  bytesPerLoad: number;
}
export interface FailedMessage {
  type: 'failed';
  error: string;
}
export interface DoneMessage {
  type: 'done';
}
export type ChildMessage = ReadyMessage | SampleMessage | AllocationMessage | FailedMessage | DoneMessage;

/** What a child needs of a scenario to run one of its contenders. */
export interface IsolatedSetup {
  contenders: readonly Contender[];
  workload: Workload;
  /** The scenario's own target (its in-memory CDF), when the task names none. */
  target?: Target;
}
