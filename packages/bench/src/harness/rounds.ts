/** How many times each contender runs: unmeasured warm-ups, then measured rounds. */
export interface RoundPlan {
  warmup: number;
  rounds: number;
  /** Whether a measured run follows an unmeasured session after its full GC (see `MeasureOptions.rewarm`). */
  rewarm: boolean;
  /**
   * Whether B2–B4 run each contender in processes of its own, rounds as they come, no GC forced:
   * the headline. Otherwise all in this process, each run after a full GC (and `rewarm`).
   */
  isolated: boolean;
}

/**
 * Runs every contender `plan.warmup` times unmeasured, then `plan.rounds` times, alternating
 * contenders round by round and rotating who goes first, so drift (a warming JIT, a busy
 * machine) falls on all of them alike. Returns each contender's measured samples in order.
 */
export async function alternate<C, S>(contenders: readonly C[], plan: RoundPlan, runOnce: (contender: C) => Promise<S>): Promise<Map<C, S[]>> {
  const samples = new Map<C, S[]>(contenders.map((contender) => [contender, []]));
  for (let round = 0; round < plan.warmup + plan.rounds; round++) {
    for (let turn = 0; turn < contenders.length; turn++) {
      const contender = contenders[(round + turn) % contenders.length] as C;
      const sample = await runOnce(contender);
      if (round >= plan.warmup) samples.get(contender)?.push(sample);
    }
  }
  return samples;
}
