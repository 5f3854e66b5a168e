import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { forkFakeCdf } from './fake/fork.js';
import { renderReport, runSuite } from './suite.js';

// `pnpm bench -- --only B3` passes the `--` along: the flags after it are still ours.
const args = process.argv.slice(2).filter((arg, index) => !(index === 0 && arg === '--'));
const { values } = parseArgs({
  args,
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    contender: { type: 'string' },
    'no-rewarm': { type: 'boolean', default: false },
    'in-process': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  process.stdout.write(`Usage: pnpm bench [--quick] [--only B1,B3] [--contender <name part>]

  --quick               fewer rounds and smaller sizes: a smoke run
  --only <ids>          run only these scenarios, comma-separated (B1..B11; --only B7,B8,B9 for the bulk ones)
  --contender <text>    run only contenders whose name contains this text (for profiling)
  --in-process          in B2-B4, run every contender in this process, each measured run after
                        a full GC and an unmeasured warming session: warmed figures, not the
                        headline (by default each contender runs in processes of its own, as
                        a service that just started, no GC forced)
  --no-rewarm           with --in-process, measure each run right after its full GC, with no
                        warming session between (the JIT then re-optimizes inside the run)

Exits with 1 when a regression guard fails (B2: cdf-loader's CPU per load above 2x the
minimal loader's, measured in one process).
`);
} else {
  const profile = values.quick ? 'quick' : 'full';
  const report = await runSuite({
    profile,
    only: values.only?.split(',').map((id) => id.trim()),
    contender: values.contender,
    rewarm: !values['no-rewarm'],
    isolated: !values['in-process'],
    startFake: forkFakeCdf,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  const markdown = renderReport(report);
  process.stdout.write(markdown);
  // Only a full run of everything, measured as documented, replaces the report; other runs go to stdout only.
  if (profile === 'full' && values.only === undefined && values.contender === undefined && !values['in-process']) {
    await writeFile(fileURLToPath(new URL('../RESULTS.md', import.meta.url)), markdown);
    process.stderr.write('written to packages/bench/RESULTS.md\n');
  }
  const failedGuards = report.sections.flatMap((section) => section.targets.filter((check) => check.guard === true && !check.met));
  for (const guard of failedGuards) process.stderr.write(`regression guard failed: ${guard.target}: measured ${guard.measured}\n`);
  if (failedGuards.length > 0) process.exitCode = 1;
}
