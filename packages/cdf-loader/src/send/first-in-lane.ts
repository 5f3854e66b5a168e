import type { Lane } from '../engine/outgoing-request.js';

/**
 * The index of the first waiter of each lane (-1 where none waits), in one pass that stops once
 * both are found: who a free slot or a turn may go to.
 */
export function firstInEachLane(waiting: readonly { lane: () => Lane }[]): { background: number; interactive: number } {
  let background = -1;
  let interactive = -1;
  for (let index = 0; index < waiting.length && (background < 0 || interactive < 0); index++) {
    if (waiting[index]!.lane() === 'background') {
      if (background < 0) background = index;
    } else if (interactive < 0) interactive = index;
  }
  return { background, interactive };
}
