import { cpus } from 'node:os';
import type { FakeCdf, FakeCdfFactory } from './fake/fake-cdf.js';
import type { RoundPlan } from './harness/rounds.js';
import { DEFAULT_CHILD_SCRIPT, processesPerContender } from './harness/isolated.js';
import { renderSection, type Section } from './report/section.js';
import { b1RequestEfficiency } from './scenarios/b1-request-efficiency.js';
import { b2CpuPerLoad } from './scenarios/b2-cpu-per-load.js';
import { b3Graphql } from './scenarios/b3-graphql.js';
import { b4Throttled } from './scenarios/b4-throttled.js';
import { b5Memory } from './scenarios/b5-memory.js';
import { b6Replicas } from './scenarios/b6-replicas.js';
import { b7Bulk } from './scenarios/b7-bulk.js';
import { b8Cli } from './scenarios/b8-cli.js';
import { b9Lanes } from './scenarios/b9-lanes.js';
import { b10RedisFaults } from './scenarios/b10-redis-faults.js';
import { b11RateBudget } from './scenarios/b11-rate-budget.js';
import type { Profile, Scenario } from './scenarios/scenario.js';

/** Every scenario, in report order. */
export const SCENARIOS: readonly Scenario[] = [b1RequestEfficiency, b2CpuPerLoad, b3Graphql, b4Throttled, b5Memory, b6Replicas, b7Bulk, b8Cli, b9Lanes, b10RedisFaults, b11RateBudget];

const PLANS: Record<Profile, Omit<RoundPlan, 'rewarm' | 'isolated'>> = {
  full: { warmup: 1, rounds: 4 },
  quick: { warmup: 1, rounds: 2 },
  tiny: { warmup: 0, rounds: 1 },
};

/** Files in the fake CDF: enough for B1's largest case and B3's hot set. */
const FAKE_FILES: Record<Profile, number> = { full: 10_000, quick: 4_000, tiny: 300 };

export interface SuiteOptions {
  profile: Profile;
  /** Scenario ids to run (`--only B3`); all when absent. */
  only?: readonly string[] | undefined;
  /** Runs only contenders whose name contains this (`--contender`), for profiling one path. */
  contender?: string | undefined;
  /**
   * Whether B2–B4 run an unmeasured session of a contender between the full GC and each measured
   * run (see `MeasureOptions.rewarm`); `--no-rewarm` measures right after the GC instead.
   * @default true
   */
  rewarm?: boolean | undefined;
  /**
   * Whether B2–B4 run each contender in processes of its own with no GC forced (the headline),
   * rather than all in this process (`--in-process`, then `rewarm` applies).
   * @default true
   */
  isolated?: boolean | undefined;
  /** The built child entry for isolated runs; tests running on the sources point at the build. */
  childScript?: string | undefined;
  /** Starts the fake CDF. */
  startFake: FakeCdfFactory;
  log?: (line: string) => void;
}

/** A finished run: its sections and where it ran. */
export interface Report {
  profile: Profile;
  rewarm: boolean;
  isolated: boolean;
  sections: Section[];
  durationMs: number;
  environment: { cpus: number; cpuModel: string; node: string; date: string };
}

/** Runs the chosen scenarios one after another and collects their sections. */
export async function runSuite(options: SuiteOptions): Promise<Report> {
  const startedAt = performance.now();
  const log = options.log ?? ((): void => undefined);
  const only = options.only?.map((id) => id.toUpperCase());
  const rewarm = options.rewarm ?? true;
  const isolated = options.isolated ?? true;
  const plan: RoundPlan = { ...PLANS[options.profile], rewarm, isolated };
  const scenarios = SCENARIOS.filter((scenario) => only === undefined || only.includes(scenario.id));
  let fake: Promise<FakeCdf> | undefined;
  const sections: Section[] = [];
  try {
    for (const scenario of scenarios) {
      log(`${scenario.id} ${scenario.title}…`);
      const scenarioStartedAt = performance.now();
      sections.push(
        await scenario.run({
          profile: options.profile,
          plan,
          fake: () => (fake ??= options.startFake({ files: FAKE_FILES[options.profile] })),
          startFake: options.startFake,
          includes: (name) => options.contender === undefined || name.includes(options.contender),
          childScript: options.childScript ?? DEFAULT_CHILD_SCRIPT,
          log,
        }),
      );
      log(`${scenario.id} done in ${((performance.now() - scenarioStartedAt) / 1000).toFixed(1)} s`);
    }
  } finally {
    await (await fake)?.close();
  }
  const cpuList = cpus();
  return {
    profile: options.profile,
    rewarm,
    isolated,
    sections,
    durationMs: performance.now() - startedAt,
    environment: { cpus: cpuList.length, cpuModel: cpuList[0]?.model ?? 'unknown', node: process.version, date: new Date().toISOString() },
  };
}

/** The report as markdown: where and how it ran, then every section. */
export function renderReport(report: Report): string {
  const { environment } = report;
  const header = [
    '# cdf-loader benchmark results',
    `${report.profile === 'full' ? 'Full run' : `\`${report.profile}\` run (smaller sizes, fewer rounds)`} of \`pnpm bench\` on ${environment.date}: ` +
      `${environment.cpus} × ${environment.cpuModel}, Node ${environment.node}, ${(report.durationMs / 1000).toFixed(0)} s. ` +
      `Each scenario runs every contender in ${PLANS[report.profile].rounds} measured rounds (twice as many in B2–B4), alternating contenders (B1, B5 and B6 after one unmeasured round; B7–B9 run each measured run in a fresh process); ` +
      'cells show the median and, in parentheses, the range over the rounds. ' +
      (report.isolated
        ? `In B2–B4 each contender runs in fresh Node processes of its own (${processesPerContender(2 * PLANS[report.profile].rounds)} per contender, taking turns), every round on fresh state and measured as it comes: no warm-up round, no GC forced, the first round of a process (its JIT cold) included, as a service that just started pays (see the bench README, "How it measures").`
        : report.rewarm
          ? 'Run with `--in-process`: **warmed figures, not the headline.** In B2–B4 every measured run follows a full GC and then an unmeasured session of the same contender on fresh state, so the JIT is as warm as the warm-up round left it.'
          : 'Run with `--in-process --no-rewarm`: in B2–B4 every measured run starts right after a full GC, which throws away the optimized code of whatever died with the previous run.'),
  ].join('\n\n');
  return `${[header, ...report.sections.map(renderSection)].join('\n\n')}\n`;
}
