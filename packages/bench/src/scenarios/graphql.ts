import type { Contender } from '../contenders/contender.js';
import type { FakeCdfSettings } from '../fake/fake-cdf.js';
import { compareOverHttp, fakeTarget, type HttpSample } from '../harness/http-run.js';
import { isolatedRounds } from '../harness/isolated.js';
import { type Comparisons, comparisonTable, medianWallMs } from '../report/comparison-table.js';
import { seededRandom } from '../random.js';
import { randomOperations, type Workload, workloadOf } from '../workload.js';
import type { Profile, ScenarioContext } from './scenario.js';

/** The GraphQL-shaped workload of B3 and B4. */
export interface GraphqlSizes {
  /** Operations started at once. */
  operations: number;
  /** References each operation loads per level of its resolver tree. */
  waves: readonly number[];
  /** Files the references are drawn from, uniformly. */
  hotFiles: number;
  /** Operations the N+1 contender runs (it sends one request per reference). */
  nPlusOneOperations: number;
}

export const GRAPHQL_SIZES: Record<Profile, GraphqlSizes> = {
  full: { operations: 200, waves: [10, 30, 60], hotFiles: 5000, nPlusOneOperations: 10 },
  quick: { operations: 50, waves: [5, 15, 30], hotFiles: 1500, nPlusOneOperations: 5 },
  tiny: { operations: 6, waves: [2, 3, 5], hotFiles: 100, nPlusOneOperations: 2 },
};

/**
 * `operations` concurrent operations, each loading its references in levels (10, then 30, then
 * 60 in the full size) as a resolver tree would, over the first `hotFiles` files.
 */
export function graphqlWorkload(fileIds: readonly number[], sizes: GraphqlSizes): Workload {
  const pool = fileIds.slice(0, sizes.hotFiles);
  return workloadOf([{ after: 'settled', operations: randomOperations(seededRandom(3), pool, sizes.operations, sizes.waves) }]);
}

/** "200 operations × 100 refs over 5,000 files", for titles. */
export function describeGraphql(sizes: GraphqlSizes): string {
  const refs = sizes.waves.reduce((sum, size) => sum + size, 0);
  return `${sizes.operations} operations × ${refs} refs (levels of ${sizes.waves.join(', ')}) over ${sizes.hotFiles.toLocaleString('en-US')} hot files`;
}

/** A GraphQL-shaped run against the fake: who runs, under which fake settings, compared how. */
export interface GraphqlComparison extends Comparisons {
  scenario: 'B3' | 'B4';
  settings: FakeCdfSettings;
  contenders: readonly Contender[];
}

/** What a GraphQL-shaped run measured. */
export interface GraphqlResult {
  sizes: GraphqlSizes;
  /** The operations every contender ran. */
  workload: Workload;
  samples: Map<Contender, HttpSample[]>;
  table: string;
  /** Median wall time of a contender; NaN when filtered out. */
  wallMs(contender: Contender): number;
}

/** Runs the contenders (those `--contender` keeps) on the profile's GraphQL-shaped workload. */
export async function runGraphqlComparison(context: ScenarioContext, comparison: GraphqlComparison): Promise<GraphqlResult> {
  const sizes = GRAPHQL_SIZES[context.profile];
  const fake = await context.fake();
  const contenders = comparison.contenders.filter((contender) => context.includes(contender.name));
  // Runs of about 100 ms on a shared 2-core machine vary by a third from one to the next: twice
  // the rounds, so the medians the targets are checked on hold still.
  const plan = { ...context.plan, rounds: 2 * context.plan.rounds };
  const workload = graphqlWorkload(fake.fileIds, sizes);
  const samples = plan.isolated
    ? await isolatedOverHttp(context, comparison, contenders, plan.rounds)
    : await compareOverHttp(fake, comparison.settings, contenders, workload, plan);
  return {
    sizes,
    workload,
    samples,
    table: comparisonTable(samples, comparison),
    wallMs: (contender) => medianWallMs(samples.get(contender)),
  };
}

/** Each contender in processes of its own (see `isolatedRounds`), against the fake configured for the scenario. */
async function isolatedOverHttp(
  context: ScenarioContext,
  comparison: GraphqlComparison,
  contenders: readonly Contender[],
  rounds: number,
): Promise<Map<Contender, HttpSample[]>> {
  const fake = await context.fake();
  await fake.configure(comparison.settings);
  const base = { scenario: comparison.scenario, profile: context.profile, pass: 'cold' as const, target: fakeTarget(fake), fileIds: fake.fileIds };
  const isolated = await isolatedRounds(base, contenders, rounds, { childScript: context.childScript, fake });
  return new Map(
    [...isolated].map(([contender, samples]) => [
      contender,
      samples.map(({ measurement, outcome, counters }) => ({ measurement, outcome, counters: counters! })),
    ]),
  );
}
