import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FakeCdf } from '../fake/fake-cdf.js';
import { fakeTarget } from '../harness/http-run.js';
import type { IsolatedScenarioId } from '../harness/isolated-protocol.js';
import { runIsolated } from '../harness/isolated.js';
import type { ScenarioContext } from '../scenarios/scenario.js';
import { markdownTable } from './markdown.js';
import { PROFILES_BEFORE } from './profiles-before.js';

/** Rows of a top-frames table. */
const TOP_FRAMES = 12;
/** Rounds of the profiled process: enough samples, the first (cold JIT) round among them as in the headline. */
const PROFILED_ROUNDS = 6;

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

/**
 * The top frames by self time of one contender's process, profiled with `--cpu-prof` (a fresh
 * process running rounds as they come, as the headline does), beside the same table from before
 * this round of work (`profiles-before.ts`). Empty for in-process and tiny runs.
 */
export async function cpuProfileSection(context: ScenarioContext, scenario: IsolatedScenarioId, contender: string, fake?: FakeCdf): Promise<string[]> {
  if (!context.plan.isolated || context.profile === 'tiny' || !context.includes(contender)) return [];
  const directory = await mkdtemp(join(tmpdir(), 'cdf-loader-bench-profile-'));
  try {
    await runIsolated(
      {
        scenario,
        profile: context.profile,
        pass: 'cold',
        contenders: [contender],
        rounds: PROFILED_ROUNDS,
        allocation: false,
        target: fake === undefined ? undefined : fakeTarget(fake),
        fileIds: fake?.fileIds,
      },
      { childScript: context.childScript, fake, execArgv: ['--cpu-prof', `--cpu-prof-dir=${directory}`] },
    );
    const file = (await readdir(directory)).find((name) => name.endsWith('.cpuprofile'));
    if (file === undefined) return [];
    const profile = JSON.parse(await readFile(join(directory, file), 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
    const before = PROFILES_BEFORE[scenario];
    return [
      `CPU profile of ${contender}, now: top ${TOP_FRAMES} frames by self time in a fresh process running ${PROFILED_ROUNDS} rounds (\`--cpu-prof\`; the whole process, the harness and its workload included).`,
      markdownTable(['frame', 'self time'], topFrames(profile)),
      ...(before === undefined ? [] : [`Before this round of work (${before.measured}):`, markdownTable(['frame', 'self time'], before.rows)]),
    ];
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

/** Self time per function (name, file, line), as shares of the whole profile, most first. */
function topFrames(profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }): string[][] {
  const timeOf = new Map<number, number>();
  let total = 0;
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    timeOf.set(id, (timeOf.get(id) ?? 0) + delta);
    total += delta;
  });
  const byFrame = new Map<string, number>();
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame;
    const file = url === '' ? '' : ` ${shortUrl(url)}:${lineNumber + 1}`;
    const frame = `${functionName || '(anonymous)'}${file}`;
    byFrame.set(frame, (byFrame.get(frame) ?? 0) + (timeOf.get(node.id) ?? 0));
  }
  return [...byFrame]
    .sort((a, b) => b[1] - a[1])
    .slice(0, TOP_FRAMES)
    .map(([frame, time]) => [`\`${frame}\``, `${((100 * time) / total).toFixed(1)} %`]);
}

/** `file:///…/packages/cdf-loader/dist/engine/engine.js` → `cdf-loader/engine/engine.js`. */
function shortUrl(url: string): string {
  const match = /.*\/(?:packages|node_modules)\/((?:@[^/]+\/)?[^/]+)\/(?:dist\/|src\/)?(.*)$/.exec(url);
  return match === null ? url.replace(/^file:\/\/.*\//, '') : `${match[1]}/${match[2]}`;
}
