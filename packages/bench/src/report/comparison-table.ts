import type { Contender } from '../contenders/contender.js';
import type { HttpSample } from '../harness/http-run.js';
import { summarize } from '../harness/stats.js';
import { megabytes, ratio, spread } from './format.js';
import { markdownTable } from './markdown.js';

/** Median wall time of a contender's samples, in ms (NaN when it did not run). */
export function medianWallMs(samples: readonly HttpSample[] | undefined): number {
  return samples === undefined || samples.length === 0 ? Number.NaN : summarize(samples.map((sample) => sample.measurement.wallMs)).median;
}

/** Which contenders the ratio columns compare against. */
export interface Comparisons {
  /** Each gets a `× <label>` column: the row's wall time over the floor's. */
  floors: readonly { label: string; contender: Contender }[];
  /** Gets a `<name> ÷ this` column: its wall time over the row's. */
  subject: Contender;
}

/**
 * The side-by-side table of an HTTP scenario: per contender the median (and range) of wall
 * time, requests, items sent, 429s met, failed loads, CPU, GC time and peak heap, then the ratios.
 */
export function comparisonTable(samples: Map<Contender, HttpSample[]>, comparisons: Comparisons): string {
  const floorsMs = comparisons.floors.map((floor) => medianWallMs(samples.get(floor.contender)));
  const subjectMs = medianWallMs(samples.get(comparisons.subject));
  const rows = [...samples].map(([contender, runs]) => {
    const of = (value: (sample: HttpSample) => number, format?: (value: number) => string): string =>
      spread(summarize(runs.map(value)), format);
    const wallMs = medianWallMs(runs);
    return [
      contender.name,
      of((sample) => sample.measurement.wallMs),
      of((sample) => sample.counters.requests),
      of((sample) => sample.counters.items),
      of((sample) => sample.counters.throttled),
      of((sample) => sample.outcome.failed),
      of((sample) => sample.measurement.cpuMs),
      of((sample) => sample.measurement.gcMs),
      of((sample) => sample.measurement.peakHeapBytes, megabytes),
      ...floorsMs.map((floorMs) => ratio(wallMs / floorMs)),
      ratio(subjectMs / wallMs),
    ];
  });
  return markdownTable(
    [
      'contender',
      'wall ms',
      'HTTP requests',
      'items sent',
      '429s met',
      'failed loads',
      'CPU ms',
      'GC pauses ms',
      'peak heap MB',
      ...comparisons.floors.map((floor) => `× ${floor.label}`),
      `${comparisons.subject.name} ÷ this`,
    ],
    rows,
  );
}
