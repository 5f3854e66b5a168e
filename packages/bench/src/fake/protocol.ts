import type { FakeCdfCounters, FakeCdfSettings } from './fake-cdf.js';

/** The child's first message: where the fake listens and what it serves. */
export interface ReadyMessage {
  type: 'ready';
  url: string;
  project: string;
  token: string;
  fileIds: number[];
}

/** A command from the bench to the child, numbered so its reply can be matched. */
export type Command =
  | { seq: number; command: 'configure'; settings: FakeCdfSettings }
  | { seq: number; command: 'reset' | 'counters' | 'close' };

/** The child's answer to one command. */
export interface Reply {
  type: 'reply';
  seq: number;
  counters?: FakeCdfCounters;
  error?: string;
}
