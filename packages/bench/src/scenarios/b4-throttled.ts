import type { RequestEvent } from 'cdf-loader';
import { cdfLoaderContender } from '../contenders/cdf-loader.js';
import { cogniteSdkContender } from '../contenders/cognite-sdk.js';
import { dataLoaderContender } from '../contenders/dataloader.js';
import { floorContender } from '../contenders/floor.js';
import { minimalLoaderContender } from '../contenders/minimal-loader.js';
import { fakeTarget } from '../harness/http-run.js';
import { checkRatio, resultsOf, type TargetCheck } from '../report/section.js';
import type { Workload } from '../workload.js';
import { describeGraphql, runGraphqlComparison } from './graphql.js';
import type { Scenario, ScenarioContext } from './scenario.js';

const LATENCY_MS = 5;
const FAKE_LIMIT = 4;

/** B4: B3's workload with the fake serving 4 requests at once and answering 429 beyond. */
export const b4Throttled: Scenario = {
  id: 'B4',
  title: 'throttled GraphQL-shaped workload',
  async run(context) {
    const { all, levelIdeal, adaptive, fixed, perRequest, ideal, minimal, minimalAtLimit } = b4Contenders();
    const result = await runGraphqlComparison(context, {
      scenario: 'B4',
      settings: { latencyMs: LATENCY_MS, concurrencyLimit: FAKE_LIMIT },
      contenders: all,
      floors: [
        { label: 'ideal', contender: ideal },
        { label: 'ideal by level', contender: levelIdeal },
        { label: 'minimal loader', contender: minimal },
        { label: `minimal loader, ${FAKE_LIMIT} in flight`, contender: minimalAtLimit },
      ],
      subject: adaptive,
    });

    const targets: TargetCheck[] = [];
    for (const subject of [adaptive, fixed, perRequest]) {
      const runs = result.samples.get(subject);
      if (runs === undefined) continue;
      const failed = runs.reduce((sum, run) => sum + run.outcome.failed, 0);
      targets.push({ target: `${subject.name}: no failed load`, measured: `${failed} failed`, met: failed === 0 });
      const measured = result.wallMs(subject) / result.wallMs(levelIdeal);
      if (!Number.isNaN(measured)) targets.push(checkRatio(`${subject.name} ÷ ${levelIdeal.name}, wall time`, measured, 1.3));
      const againstMinimal = result.wallMs(subject) / result.wallMs(minimalAtLimit);
      if (subject === adaptive && !Number.isNaN(againstMinimal)) targets.push(checkRatio(`${subject.name} ÷ ${minimalAtLimit.name}, wall time`, againstMinimal, 1.2));
    }
    return {
      id: 'B4',
      title: `Throttled: B3’s ${describeGraphql(result.sizes)}, fake at ${LATENCY_MS} ms serving ${FAKE_LIMIT} requests at once (429 beyond)`,
      measures:
        `The fake answers 429 at once to a request arriving while ${FAKE_LIMIT} are in flight. The ideal schedule sends ceil(unique / 1000) ` +
        `requests ${FAKE_LIMIT} at a time and meets no 429. cdf-loader runs with its defaults (maxConcurrency 4, adaptive concurrency, ` +
        'retries with full-jitter backoff), and once with adaptiveConcurrency: false. dataloader over ky does not retry a POST, so a 429 fails its loads; ' +
        '@cognite/sdk retries 429s with its own backoff. The minimal loader has no limit and no retry: it is the reference line, and its 429s fail loads. ' +
        '(dataloader per operation is left out: its 600 requests mostly meet 429s and fail.)',
      tables: [result.table],
      targets,
      notes: context.includes(adaptive.name) ? [await traceNote(context, result.workload, result.samples.get(levelIdeal)?.[0]?.counters.requests)] : [],
      results: resultsOf(result.samples),
    };
  },
};

/** B4's contenders, the same in this process and in each process of their own. */
export function b4Contenders() {
  const ideal = floorContender(`ideal schedule: raw byids, ${FAKE_LIMIT} at a time`, { concurrency: FAKE_LIMIT });
  const levelIdeal = floorContender(`ideal schedule by level: raw byids, ${FAKE_LIMIT} at a time, one level after the other`, {
    concurrency: FAKE_LIMIT,
    byLevel: true,
  });
  const minimal = minimalLoaderContender('minimal loader (no limit, no retry)');
  const minimalAtLimit = minimalLoaderContender(`minimal loader keeping ${FAKE_LIMIT} in flight (no retry)`, { concurrency: FAKE_LIMIT });
  const adaptive = cdfLoaderContender('cdf-loader (shared)', 'shared');
  const fixed = cdfLoaderContender('cdf-loader (shared, adaptiveConcurrency: false)', 'shared', { adaptiveConcurrency: false });
  const perRequest = cdfLoaderContender('cdf-loader forRequest() per operation', 'forRequest');
  const all = [
    ideal,
    levelIdeal,
    minimal,
    minimalAtLimit,
    adaptive,
    fixed,
    perRequest,
    dataLoaderContender('dataloader (shared)', false),
    cogniteSdkContender('@cognite/sdk retrieve per operation level', 'per-wave'),
  ];
  return { all, ideal, levelIdeal, minimal, minimalAtLimit, adaptive, fixed, perRequest };
}

/**
 * One more run of the shared loader on the same workload, its requests traced through
 * `onRequest`: what it sent when, and when each answer was in, against the ideal schedule's
 * requests by level.
 */
async function traceNote(context: ScenarioContext, workload: Workload, idealRequests: number | undefined): Promise<string> {
  const fake = await context.fake();
  const events: RequestEvent[] = [];
  const traced = cdfLoaderContender('cdf-loader (shared), traced', 'shared', { onRequest: (event) => events.push(event) });
  const run = traced.prepare(fakeTarget(fake), workload);
  const startedAt = performance.timeOrigin + performance.now();
  await run();
  const at = (time: number): string => `+${(time - startedAt).toFixed(0)} ms`;
  const requests = events.map((event) => `${event.items} ids sent ${at(event.startTime)}, in ${at(event.startTime + event.durationMs)}`);
  const trace = `One traced run of cdf-loader (shared): ${events.length} requests (${requests.join('; ')}).`;
  if (idealRequests === undefined || events.length <= idealRequests) return trace;
  return (
    `${trace} The ideal schedule by level sends ${idealRequests}: an operation moves to its next level as soon as its own keys are in, so the operations ` +
    'whose keys were queued first, all answered by a level’s first request, start their next level before the rest of the level is answered, in requests of their own.'
  );
}
