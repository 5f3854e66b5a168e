import { createCdfLoaderPool, createFilesLoader } from 'cdf-loader';
import { cdfLoaderContender } from '../contenders/cdf-loader.js';
import type { Contender, Outcome } from '../contenders/contender.js';
import { dataLoaderContender } from '../contenders/dataloader.js';
import { createMemoryCdf, type MemoryCdf } from '../fake/memory-cdf.js';
import { collectGarbage, heapUsed } from '../harness/gc.js';
import { measure } from '../harness/measure.js';
import { summarize } from '../harness/stats.js';
import { megabytes, number, ratio } from '../report/format.js';
import { markdownTable } from '../report/markdown.js';
import { resultsOf, type TargetCheck } from '../report/section.js';
import { pick, seededRandom } from '../random.js';
import type { Burst, Workload } from '../workload.js';
import type { Profile, Scenario } from './scenario.js';

interface B5Sizes {
  /** Idle principals of the pool measurement. */
  idlePrincipals: number;
  /** Principals that each cache `cachedPerPrincipal` files. */
  busyPrincipals: number;
  cachedPerPrincipal: number;
  loads: number;
  keys: number;
  cacheMax: number;
  /** Most loads go to these first keys, as real traffic has hot files. */
  hotKeys: number;
}

const SIZES: Record<Profile, B5Sizes> = {
  full: { idlePrincipals: 10_000, busyPrincipals: 1_000, cachedPerPrincipal: 100, loads: 1_000_000, keys: 200_000, cacheMax: 50_000, hotKeys: 20_000 },
  quick: { idlePrincipals: 2_000, busyPrincipals: 200, cachedPerPrincipal: 100, loads: 200_000, keys: 40_000, cacheMax: 10_000, hotKeys: 4_000 },
  tiny: { idlePrincipals: 50, busyPrincipals: 10, cachedPerPrincipal: 20, loads: 4_000, keys: 2_000, cacheMax: 500, hotKeys: 200 },
};
const HOT_SHARE = 0.9;
const LOADS_PER_BURST = 2_000;

interface Round {
  /** Heap still in use after the round and a full GC, above the heap once the loader is gone. */
  retainedBytes: number;
  peakHeapBytes: number;
  wallMs: number;
  outcome: Outcome;
}

/**
 * B5: a long-lived loader under a million loads per round. The contenders do not alternate
 * here: each keeps its loader across its rounds, and two live loaders would mix their heaps.
 */
export const b5Memory: Scenario = {
  id: 'B5',
  title: 'memory',
  async run(context) {
    const sizes = SIZES[context.profile];
    const memory = createMemoryCdf(sizes.keys);
    const workload = skewedWorkload(memory.fileIds, sizes);
    const subject = cdfLoaderContender(`cdf-loader (shared, cache max ${number(sizes.cacheMax)})`, 'shared', { cache: { max: sizes.cacheMax } });
    const contenders = [subject, dataLoaderContender('dataloader (shared, memoizes everything)', false)].filter((contender) =>
      context.includes(contender.name),
    );
    const budget = sizes.cacheMax * (await bytesPerEntry(memory, Math.min(10_000, sizes.keys)));
    // The first use of a code path leaves compiled code on the heap for good; that is not the loader's.
    const warmCode = skewedWorkload(memory.fileIds, { ...sizes, loads: 5 * LOADS_PER_BURST });
    for (const contender of contenders) await contender.prepare(memory.target, warmCode)();
    const plan = { ...context.plan, rounds: Math.min(3, context.plan.rounds) };
    const rounds = new Map<Contender, Round[]>();
    for (const contender of contenders) {
      let run: (() => Promise<Outcome>) | undefined = contender.prepare(memory.target, workload);
      const measured: (Omit<Round, 'retainedBytes'> & { heapBytes: number })[] = [];
      for (let round = 0; round < plan.warmup + plan.rounds; round++) {
        const { result, measurement } = await measure(run);
        await collectGarbage();
        if (round >= plan.warmup) measured.push({ heapBytes: heapUsed(), peakHeapBytes: measurement.peakHeapBytes, wallMs: measurement.wallMs, outcome: result });
      }
      // The loader's footprint is the heap with it minus the heap once it is gone, both settled.
      run = undefined;
      await collectGarbage();
      const without = heapUsed();
      rounds.set(contender, measured.map(({ heapBytes, ...rest }) => ({ ...rest, retainedBytes: heapBytes - without })));
    }

    const growth = (runs: readonly Round[]): number => (runs.at(-1)?.retainedBytes ?? 0) - (runs[0]?.retainedBytes ?? 0);
    const rows = [...rounds].map(([contender, runs]) => [
      contender.name,
      runs.map((run) => megabytes(run.retainedBytes)).join(' → '),
      megabytes(growth(runs)),
      megabytes(Math.max(...runs.map((run) => run.peakHeapBytes))),
      ratio(Math.max(...runs.map((run) => run.retainedBytes)) / budget),
      number(summarize(runs.map((run) => run.wallMs)).median),
    ]);
    const targets: TargetCheck[] = [];
    const subjectRuns = rounds.get(subject);
    if (subjectRuns !== undefined) {
      const worst = Math.max(...subjectRuns.map((run) => run.retainedBytes));
      targets.push({ target: `${subject.name}: retained heap ≤ cache budget (${megabytes(budget)} MB)`, measured: `${megabytes(worst)} MB`, met: worst <= budget });
      // Noise of a few MB is GC timing, not a leak; growth beyond 5 % of the budget would be.
      targets.push({ target: `${subject.name}: no growth across rounds (≤ 5 % of the budget)`, measured: `${megabytes(growth(subjectRuns))} MB`, met: growth(subjectRuns) <= budget * 0.05 });
    }
    const pool = await measurePool(memory, sizes);
    targets.push(
      { target: 'an idle pool principal ≤ 16 KB', measured: `${number(pool.idleBytes / 1024)} KB`, met: pool.idleBytes <= 16 * 1024 },
      {
        target: `${number(sizes.idlePrincipals)} idle pool principals ≤ ${number((sizes.idlePrincipals * 16) / 1000)} MB`,
        measured: `${megabytes(pool.idleBytes * sizes.idlePrincipals)} MB`,
        met: pool.idleBytes * sizes.idlePrincipals <= sizes.idlePrincipals * 16_000,
      },
      {
        target: `${number(sizes.busyPrincipals)} principals with ${sizes.cachedPerPrincipal} cached files each ≤ ${number((sizes.busyPrincipals * 200) / 1000)} MB`,
        measured: `${megabytes(pool.busyBytes * sizes.busyPrincipals)} MB`,
        met: pool.busyBytes * sizes.busyPrincipals <= sizes.busyPrincipals * 200_000,
      },
    );
    return {
      id: 'B5',
      title: `Memory: ${number(sizes.loads)} loads per round over ${number(sizes.keys)} keys, cache max ${number(sizes.cacheMax)} entries`,
      measures:
        `In-memory transport. Each round issues ${number(sizes.loads)} loads in bursts of ${number(LOADS_PER_BURST)} (one after the other settled), ` +
        `${HOT_SHARE * 100} % of them over the ${number(sizes.hotKeys)} hottest keys and the rest over all ${number(sizes.keys)}. One loader lives across all rounds. ` +
        `After each round and a full GC, the heap in use minus the heap once the loader is gone (measured at the end) is its retained heap. ` +
        `The cache budget is cache max × the measured heap of one parsed file held in a map under its key (${number(budget / sizes.cacheMax)} bytes): the most a cache of that many entries can hold. ` +
        'The second table is the pool of a multi-user service: the heap held by loaders and principals (after a full GC, minus the heap once they are gone), with the default options.',
      tables: [
        markdownTable(['contender', 'retained heap MB per round', 'growth first → last MB', 'peak heap MB', '÷ cache budget', 'wall ms per round'], rows),
        markdownTable(
          ['what', 'count', 'heap MB', 'KB each'],
          [
            ['createFilesLoader, nothing loaded', '1,000', megabytes(pool.loaderBytes * 1_000), number(pool.loaderBytes / 1024)],
            ['idle pool principals (`forPrincipal(…).files` read, nothing loaded)', number(sizes.idlePrincipals), megabytes(pool.idleBytes * sizes.idlePrincipals), number(pool.idleBytes / 1024)],
            [`pool principals with ${sizes.cachedPerPrincipal} cached files each`, number(sizes.busyPrincipals), megabytes(pool.busyBytes * sizes.busyPrincipals), number(pool.busyBytes / 1024)],
          ],
        ),
      ],
      targets,
      notes: [],
      results: resultsOf(rounds),
    };
  },
};

/** Heap per loader and per pool principal, idle and with a few files cached, in bytes. */
async function measurePool(memory: MemoryCdf, sizes: B5Sizes): Promise<{ loaderBytes: number; idleBytes: number; busyBytes: number }> {
  const { baseUrl, project, token, fetch } = memory.target;
  const connection = { baseUrl, project, ...(fetch === undefined ? {} : { fetch }) };
  const heldBy = async (hold: () => Promise<unknown>, count: number): Promise<number> => {
    await collectGarbage();
    const before = heapUsed();
    let held: unknown = await hold();
    await collectGarbage();
    const bytes = (heapUsed() - before) / count;
    held = undefined;
    void held;
    return bytes;
  };
  const loaderBytes = await heldBy(async () => Array.from({ length: 1_000 }, () => createFilesLoader({ ...connection, getToken: () => token })), 1_000);
  const idleBytes = await heldBy(async () => {
    const pool = createCdfLoaderPool({ ...connection, maxPrincipals: sizes.idlePrincipals });
    for (let index = 0; index < sizes.idlePrincipals; index++) void pool.forPrincipal(`user-${index}`, () => token).files;
    return pool;
  }, sizes.idlePrincipals);
  const busyBytes = await heldBy(async () => {
    const pool = createCdfLoaderPool({ ...connection, maxPrincipals: sizes.busyPrincipals });
    const ids = memory.fileIds.slice(0, sizes.cachedPerPrincipal).map((id) => ({ id }));
    for (let index = 0; index < sizes.busyPrincipals; index++) await pool.forPrincipal(`user-${index}`, () => token).files.loadMany(ids);
    return pool;
  }, sizes.busyPrincipals);
  return { loaderBytes, idleBytes, busyBytes };
}

/** Bursts of operations drawn mostly from the hot keys, generated lazily (a million refs would weigh on the heap being measured). */
function skewedWorkload(fileIds: readonly number[], sizes: B5Sizes): Workload {
  const hot = fileIds.slice(0, sizes.hotKeys);
  return {
    *bursts(): Iterable<Burst> {
      const random = seededRandom(5);
      for (let loads = 0; loads < sizes.loads; loads += LOADS_PER_BURST) {
        const operations = Array.from({ length: LOADS_PER_BURST / 100 }, () => [
          Array.from({ length: 100 }, () => (pick(random, random() < HOT_SHARE ? hot : fileIds, 1)[0] as number)),
        ]);
        yield { after: 'settled', operations };
      }
    },
  };
}

/**
 * The heap one cache entry can hold at most: a parsed file plus a map entry under its key,
 * measured by holding a sample of them and then letting them go.
 */
async function bytesPerEntry(memory: MemoryCdf, sample: number): Promise<number> {
  const ids = memory.fileIds.slice(0, sample);
  let entries: Map<string, unknown> | undefined = new Map();
  for (const item of (JSON.parse(memory.answer(ids)) as { items: { id: number }[] }).items) entries.set(`i${item.id}`, item);
  await collectGarbage();
  const withEntries = heapUsed();
  entries = undefined;
  await collectGarbage();
  return (withEntries - heapUsed()) / ids.length;
}
