import type { FakeCdf, FakeCdfFactory } from '../fake/fake-cdf.js';
import type { RoundPlan } from '../harness/rounds.js';
import type { Section } from '../report/section.js';

/** How big a run is: `full` for the report, `quick` for a smoke run, `tiny` for the harness's test. */
export type Profile = 'full' | 'quick' | 'tiny';

/** What a scenario gets from the suite. */
export interface ScenarioContext {
  profile: Profile;
  plan: RoundPlan;
  /** The fake CDF (in its own process when run by `pnpm bench`), started on first use and shared. */
  fake(): Promise<FakeCdf>;
  /** Starts a fake CDF of its own (in its own process under `pnpm bench`), for a scenario that needs other data; the scenario closes it. */
  startFake: FakeCdfFactory;
  /** False for contenders filtered out with `--contender`. */
  includes(contenderName: string): boolean;
  /** The built child entry of `runIsolated` (`dist/harness/isolated-child.js`). */
  childScript: string;
  /** Progress, to stderr. */
  log(line: string): void;
}

/** One benchmark of the suite (the package README lists them and their targets). */
export interface Scenario {
  id: string;
  title: string;
  run(context: ScenarioContext): Promise<Section>;
}
