import type { Contender, Outcome, Target } from '../contenders/contender.js';
import type { FakeCdf, FakeCdfCounters, FakeCdfSettings } from '../fake/fake-cdf.js';
import type { Workload } from '../workload.js';
import { type Measurement, measure } from './measure.js';
import { alternate, type RoundPlan } from './rounds.js';

/** One measured run of a contender against the fake CDF. */
export interface HttpSample {
  measurement: Measurement;
  outcome: Outcome;
  /** What the fake saw during the run. */
  counters: FakeCdfCounters;
}

/** The fake CDF as a contender's target. */
export function fakeTarget(fake: FakeCdf): Target {
  return { baseUrl: fake.url, project: fake.project, token: fake.token };
}

/**
 * Runs a contender once on fresh state, with the fake's counters zeroed first. With `rewarm`,
 * another fresh session of it runs first, unmeasured (see `MeasureOptions.rewarm`).
 */
export async function runAgainstFake(fake: FakeCdf, contender: Contender, workload: Workload, rewarm: boolean): Promise<HttpSample> {
  const target = fakeTarget(fake);
  const run = contender.prepare(target, workload);
  await fake.reset();
  const warm = async (): Promise<void> => {
    await contender.prepare(target, workload)();
    await fake.reset();
  };
  const { result, measurement } = await measure(run, rewarm ? { rewarm: warm } : {});
  return { measurement, outcome: result, counters: await fake.counters() };
}

/** Configures the fake, then runs every contender on the same workload, alternating round by round. */
export async function compareOverHttp(
  fake: FakeCdf,
  settings: FakeCdfSettings,
  contenders: readonly Contender[],
  workload: Workload,
  plan: RoundPlan,
): Promise<Map<Contender, HttpSample[]>> {
  await fake.configure(settings);
  return alternate(contenders, plan, (contender) => runAgainstFake(fake, contender, workload, plan.rewarm));
}
