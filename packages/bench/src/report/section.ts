import { addOutcome, type Contender, emptyOutcome, type Outcome } from '../contenders/contender.js';

/** One performance target (see the package README), checked against this run. */
export interface TargetCheck {
  target: string;
  measured: string;
  met: boolean;
  /** A regression guard: `pnpm bench` exits with 1 when it is not met. */
  guard?: true;
}

/** What a scenario reports: its tables, its targets, and each contender's outcomes for checking. */
export interface Section {
  id: string;
  title: string;
  /** What the scenario measures and how, in a sentence or two. */
  measures: string;
  tables: string[];
  targets: TargetCheck[];
  notes: string[];
  /** Each contender's outcomes summed over the measured rounds. */
  results: { contender: string; outcome: Outcome }[];
}

/** A check of `measured ≤ limit`, worded for the report. */
export function checkRatio(target: string, measured: number, limit: number): TargetCheck {
  return { target: `${target} ≤ ${limit}×`, measured: `${measured.toFixed(2)}×`, met: measured <= limit };
}

/** Renders a section as markdown. */
export function renderSection(section: Section): string {
  const parts = [`## ${section.id} — ${section.title}`, section.measures, ...section.tables];
  if (section.targets.length > 0) {
    parts.push(section.targets.map((check) => `- ${check.met ? 'met' : check.guard ? '**failed**' : '**missed**'}: ${check.target} — measured ${check.measured}`).join('\n'));
  }
  if (section.notes.length > 0) parts.push(section.notes.map((note) => `> ${note}`).join('\n>\n'));
  return parts.join('\n\n');
}

/** Each contender's outcomes added up over its samples, for the report's correctness check. */
export function resultsOf(samples: Map<Pick<Contender, 'name'>, readonly { outcome: Outcome }[]>): Section['results'] {
  return [...samples].map(([contender, runs]) => {
    const total = emptyOutcome();
    for (const run of runs) addOutcome(total, run.outcome);
    return { contender: contender.name, outcome: total };
  });
}
