import { expect, it } from 'vitest';
import { startInProcessFakeCdf } from '../src/fake/in-process.js';
import { renderReport, runSuite, SCENARIOS } from '../src/suite.js';

// Correctness only: the harness on tiny sizes, every contender's answers checked, never its speed.
// In this process: isolated runs need the build (see isolated.test.ts).
it('runs every scenario, every contender loads the right files, and the report has a row for each', async () => {
  const report = await runSuite({ profile: 'tiny', startFake: startInProcessFakeCdf, isolated: false });

  expect(report.sections.map((section) => section.id)).toEqual(SCENARIOS.map((scenario) => scenario.id));
  const markdown = renderReport(report);
  for (const section of report.sections) {
    expect(markdown).toContain(`## ${section.id} — `);
    expect(section.results.length).toBeGreaterThanOrEqual(2);
    for (const { contender, outcome } of section.results) {
      expect(outcome.loads, `${section.id} ${contender}: loads`).toBeGreaterThan(0);
      expect(outcome.wrong, `${section.id} ${contender}: wrong or missing files`).toBe(0);
      expect(outcome.failed, `${section.id} ${contender}: failed loads`).toBe(0);
      // B1 has a column per contender, the others a row.
      expect(markdown).toContain(section.id === 'B1' ? ` ${contender} |` : `| ${contender} |`);
    }
    expect(section.targets.length, `${section.id} targets`).toBeGreaterThan(0);
  }
  const b1 = report.sections.find((section) => section.id === 'B1');
  expect(b1?.tables[0]?.split('\n')).toHaveLength(2 + 4);
}, 120_000);
