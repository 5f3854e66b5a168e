import type { IsolatedScenarioId } from '../harness/isolated-protocol.js';

/**
 * The top-frames tables of `cpuProfileSection` measured on the code before the per-load work:
 * this bench run against commit 86a8834's build of cdf-loader (its engine in one file), on
 * 2026-12-07 on the report's machine while other work ran on it, when the harness still sampled
 * the heap with `process.memoryUsage()` (its `memoryUsage` frame; the sampler now reads V8's heap
 * statistics). Kept as measured, for the report's before → after.
 */
export const PROFILES_BEFORE: Partial<Record<IsolatedScenarioId, { measured: string; rows: string[][] }>> = {
  B2: {
    measured: 'commit 86a8834, `cache: false`, the same harness but its heap sampler',
    rows: [
      ['`(garbage collector)`', '50.6 %'],
      ['`settled cdf-loader/pending-load.js:60`', '8.3 %'],
      ['`#start cdf-loader/engine.js:208`', '5.6 %'],
      ['`runOperation bench/contenders/loader-contender.js:42`', '4.4 %'],
      ['`runMicrotasks`', '4.4 %'],
      ['`#answer cdf-loader/engine.js:375`', '2.8 %'],
      ['`parseJson cdf-loader/json.js:2`', '2.3 %'],
      ['`#fanOut cdf-loader/engine.js:342`', '2.0 %'],
      ['`answer bench/fake/memory-cdf.js:16`', '2.0 %'],
      ['`wave bench/scenarios/b2-cpu-per-load.js:196`', '1.7 %'],
      ['`(anonymous) bench/scenarios/b2-cpu-per-load.js:196`', '1.3 %'],
      ['`(anonymous)`', '1.1 %'],
    ],
  },
  B3: {
    measured: 'commit 86a8834, the same harness but its heap sampler, `memoryUsage`',
    rows: [
      ['`(garbage collector)`', '11.3 %'],
      ['`parseJson cdf-loader/json.js:2`', '11.0 %'],
      ['`(idle)`', '5.8 %'],
      ['`#start cdf-loader/engine.js:208`', '5.3 %'],
      ['`memoryUsage`', '4.2 %'],
      ['`get cdf-loader/lru.js:36`', '3.7 %'],
      ['`(anonymous) cdf-loader/engine.js:178`', '3.3 %'],
      ['`runOperation bench/contenders/loader-contender.js:42`', '3.1 %'],
      ['`#answer cdf-loader/engine.js:375`', '2.4 %'],
      ['`runMicrotasks`', '1.6 %'],
      ['`writev`', '1.6 %'],
      ['`compileSourceTextModule node:internal/modules/esm/utils:344`', '1.5 %'],
    ],
  },
};
