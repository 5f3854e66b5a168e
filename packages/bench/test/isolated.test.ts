import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, expect, it } from 'vitest';
import { startInProcessFakeCdf } from '../src/fake/in-process.js';
import { runIsolated } from '../src/harness/isolated.js';
import { runSuite } from '../src/suite.js';

// The headline way of measuring: each contender in fresh processes of its own. The child is the
// built script, so the bench and what it imports are built first (only what changed).
const workspace = fileURLToPath(new URL('../../../', import.meta.url));
const childScript = fileURLToPath(new URL('../dist/harness/isolated-child.js', import.meta.url));

beforeAll(() => {
  const build = spawnSync(process.execPath, ['scripts/build-if-stale.mjs', 'packages/bench'], { cwd: workspace, encoding: 'utf8' });
  expect(build.status, build.stderr).toBe(0);
}, 120_000);

it('runs B2 to B4 with every contender in processes of its own, each answering right, the fake counted per round', async () => {
  const report = await runSuite({ profile: 'tiny', only: ['B2', 'B3', 'B4'], startFake: startInProcessFakeCdf, childScript });

  expect(report.isolated).toBe(true);
  for (const section of report.sections) {
    for (const { contender, outcome } of section.results) {
      expect(outcome.loads, `${section.id} ${contender}: loads`).toBeGreaterThan(0);
      expect(outcome.wrong, `${section.id} ${contender}: wrong`).toBe(0);
      expect(outcome.failed, `${section.id} ${contender}: failed`).toBe(0);
    }
  }
  const b2 = report.sections.find((section) => section.id === 'B2')!;
  expect(b2.targets.map((check) => check.target)).toContain(
    'regression guard: cdf-loader (shared) ÷ minimal loader: per-tick queue, Map of one promise per key, chunks of 1000, raw fetch, CPU per load, cache off, in one process ≤ 2×',
  );
  expect(b2.targets.find((check) => check.guard)?.measured).toMatch(/^\d+\.\d\d×$/);
  // Each HTTP row counted the fake's requests for its own rounds: the floor sends ceil(unique / 1000).
  const b3 = report.sections.find((section) => section.id === 'B3')!;
  expect(b3.tables[0]).toMatch(/\| floor: raw parallel byids \| [\d.,() –]+ \| 1 \|/);
}, 240_000);

it('a child that meets an unknown contender fails the run with the child’s own message', async () => {
  const task = { scenario: 'B2', profile: 'tiny', pass: 'cold', contenders: ['nobody'], rounds: 1, allocation: false, target: undefined, fileIds: undefined } as const;
  await expect(runIsolated({ ...task, contenders: [...task.contenders] }, { childScript })).rejects.toThrow(
    /^isolated run of nobody in B2 failed: Error: B2 has no contender named "nobody"/,
  );
}, 60_000);
