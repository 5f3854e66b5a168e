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
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  process.stdout.write(`Usage: pnpm bench [--quick] [--only B1,B3] [--contender <name part>]

  --quick               fewer rounds and smaller sizes: a smoke run
  --only <ids>          run only these scenarios, comma-separated (B1..B9; --only B7,B8,B9 for the bulk ones)
  --contender <text>    run only contenders whose name contains this text (for profiling)
  --no-rewarm           in B2-B4, measure each run right after its full GC, with no warming
                        session between (the JIT then re-optimizes inside the measured run)
`);
} else {
  const profile = values.quick ? 'quick' : 'full';
  const report = await runSuite({
    profile,
    only: values.only?.split(',').map((id) => id.trim()),
    contender: values.contender,
    rewarm: !values['no-rewarm'],
    startFake: forkFakeCdf,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  const markdown = renderReport(report);
  process.stdout.write(markdown);
  // Only a full run of everything, measured as documented, replaces the report; other runs go to stdout only.
  if (profile === 'full' && values.only === undefined && values.contender === undefined && !values['no-rewarm']) {
    await writeFile(fileURLToPath(new URL('../RESULTS.md', import.meta.url)), markdown);
    process.stderr.write('written to packages/bench/RESULTS.md\n');
  }
}
