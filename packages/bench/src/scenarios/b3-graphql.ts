import { cdfLoaderContender } from '../contenders/cdf-loader.js';
import { cogniteSdkContender, dataLoaderOverSdkContender } from '../contenders/cognite-sdk.js';
import { dataLoaderContender } from '../contenders/dataloader.js';
import { floorContender } from '../contenders/floor.js';
import { minimalLoaderContender } from '../contenders/minimal-loader.js';
import { cpuProfileSection } from '../report/cpu-profile.js';
import { ratio } from '../report/format.js';
import { checkRatio, resultsOf, type TargetCheck } from '../report/section.js';
import { describeGraphql, GRAPHQL_SIZES, runGraphqlComparison } from './graphql.js';
import type { Profile, Scenario } from './scenario.js';

const LATENCY_MS = 5;

/** B3: the GraphQL-shaped workload against every contender, with the fake at 5 ms. */
export const b3Graphql: Scenario = {
  id: 'B3',
  title: 'GraphQL-shaped workload',
  async run(context) {
    const nPlusOne = GRAPHQL_SIZES[context.profile].nPlusOneOperations;
    const { all, floor, levelFloor, minimal, shared, perRequest, dataLoaderOverShared, sharedDataLoaderOverSdk } = b3Contenders(context.profile);
    const result = await runGraphqlComparison(context, {
      scenario: 'B3',
      settings: { latencyMs: LATENCY_MS, concurrencyLimit: undefined },
      contenders: all,
      floors: [
        { label: 'floor', contender: floor },
        { label: 'floor by level', contender: levelFloor },
        { label: 'minimal loader', contender: minimal },
      ],
      subject: shared,
    });

    const targets: TargetCheck[] = [];
    const ratio = (subject: typeof shared, other: typeof shared): number => result.wallMs(subject) / result.wallMs(other);
    for (const [subject, other, limit] of [
      [shared, minimal, 1.2],
      [shared, sharedDataLoaderOverSdk, 0.65],
      [perRequest, shared, 1.15],
    ] as const) {
      const measured = ratio(subject, other);
      if (!Number.isNaN(measured)) targets.push(checkRatio(`${subject.name} ÷ ${other.name}, wall time`, measured, limit));
    }
    return {
      id: 'B3',
      title: `GraphQL-shaped workload: ${describeGraphql(result.sizes)}, fake at ${LATENCY_MS} ms`,
      measures:
        'All operations start at once; each loads its references level by level, a level once the previous one answered. ' +
        'Every run starts cold (new loaders, empty caches). cdf-loader runs with its defaults (4 requests in flight, cache on). ' +
        'The floor fetches every distinct id at once; the floor by level fetches each level’s new ids only after the previous level, ' +
        'the best a loader can do when each level waits for the one above. The minimal loader is the least a loader can do for real callers ' +
        '(per-tick queue, Map dedupe, chunks of 1000, one promise per key, raw fetch; no limit, cache or retry): the targets are against it, ' +
        'a shared dataloader over @cognite/sdk, and (for forRequest()) the shared loader.',
      tables: [result.table, ...(await cpuProfileSection(context, 'B3', shared.name, await context.fake()))],
      targets,
      notes: [
        ...dataLoaderNote(result.wallMs(shared), result.wallMs(perRequest), result.wallMs(dataLoaderOverShared)),
        `The N+1 row runs only ${nPlusOne} of ${result.sizes.operations} operations (one request per reference would otherwise open thousands of connections at once), so its ratios flatter it.`,
      ],
      results: resultsOf(result.samples),
    };
  },
};

/** B3's contenders, the same in this process and in each process of their own. */
export function b3Contenders(profile: Profile) {
  const nPlusOne = GRAPHQL_SIZES[profile].nPlusOneOperations;
  const floor = floorContender('floor: raw parallel byids');
  const levelFloor = floorContender('floor by level: raw parallel byids, one level after the other', { byLevel: true });
  const minimal = minimalLoaderContender('minimal loader: per-tick queue, Map dedupe, chunks of 1000, raw fetch');
  const shared = cdfLoaderContender('cdf-loader (shared)', 'shared');
  const perRequest = cdfLoaderContender('cdf-loader forRequest() per operation', 'forRequest');
  const dataLoaderOverShared = cdfLoaderContender('dataloader per operation over cdf-loader (shared)', 'dataloader');
  const sharedDataLoaderOverSdk = dataLoaderOverSdkContender('dataloader (shared) over @cognite/sdk retrieve');
  const all = [
    floor,
    levelFloor,
    minimal,
    shared,
    perRequest,
    dataLoaderOverShared,
    dataLoaderContender('dataloader (shared)', false),
    sharedDataLoaderOverSdk,
    dataLoaderContender('dataloader per operation', true),
    cogniteSdkContender('@cognite/sdk retrieve per operation level', 'per-wave'),
    cogniteSdkContender(`@cognite/sdk retrieve per reference (N+1, first ${nPlusOne} operations only)`, 'per-reference', nPlusOne),
  ];
  return { all, floor, levelFloor, minimal, shared, perRequest, dataLoaderOverShared, sharedDataLoaderOverSdk };
}

/**
 * What a DataLoader per operation costs on top of the shared loader whatever it does: a plain
 * `DataLoader` whose batch function is the shared loader's `loadMany` does nothing but its own
 * per-key work (a promise, a callback and a memo entry per key, and a `catch` and a
 * `Promise.all` slot per key in `loadMany`).
 */
function dataLoaderNote(sharedMs: number, forRequestMs: number, dataLoaderMs: number): string[] {
  if ([sharedMs, forRequestMs, dataLoaderMs].some(Number.isNaN)) return [];
  return [
    `A plain DataLoader per operation over the shared loader took ${ratio(dataLoaderMs / sharedMs)} the shared loader's wall time, ` +
      `and forRequest() ${ratio(forRequestMs / dataLoaderMs)} that DataLoader's: a forRequest() scope is a real DataLoader (its API, ` +
      'and what @opentelemetry/instrumentation-dataloader patches), so it keeps DataLoader\'s per-key promise, callback and memo entry, ' +
      'and loadMany\'s catch and Promise.all slot per key, which the shared loader does without.',
  ];
}
