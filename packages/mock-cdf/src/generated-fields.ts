import type { GeoLocation, Label } from './items.js';
import type { Random } from './random.js';
import { AREAS, DISCIPLINES, LABELS } from './vocabulary.js';

const MIN_ID = 1e12;
export const EPOCH_START = 1_500_000_000_000; // 2017-07
export const EPOCH_SPAN = 230_000_000_000; // ~7 years, up to 2024-10
/** Most ms between an item's creation and its last update. */
export const UPDATE_SPAN = 30_000_000_000;

/** `n` as six digits, as item numbers appear in names and external ids. */
export const pad = (n: number): string => String(n).padStart(6, '0');

/**
 * Ids for `count` items, unique and spread over CDF's range 1e12..2^53-1: one random id in each
 * of `count` equal slices (ascending, so no set of used ids is needed).
 */
export function idSource(random: Random, count: number): () => number {
  const slice = Math.floor((Number.MAX_SAFE_INTEGER - MIN_ID) / Math.max(count, 1));
  let next = 0;
  return () => MIN_ID + slice * next++ + Math.floor((random.next() + random.next() / 4294967296) * slice);
}

export function times(random: Random): { createdTime: number; lastUpdatedTime: number } {
  const createdTime = EPOCH_START + random.int(0, EPOCH_SPAN);
  return { createdTime, lastUpdatedTime: createdTime + random.int(0, UPDATE_SPAN) };
}

export function metadata(random: Random, index: number): Record<string, string> {
  const result: Record<string, string> = { discipline: random.pick(DISCIPLINES) };
  if (random.chance(0.7)) result.revision = String(random.int(1, 12));
  if (random.chance(0.5)) result.area = random.pick(AREAS);
  if (random.chance(0.4)) result.sourceKey = `SRC-${pad(index)}`;
  return result;
}

export function labels(random: Random): Label[] {
  const first = random.int(0, LABELS.length - 1);
  const count = random.int(1, 2);
  return LABELS.slice(first, first + count).map((externalId) => ({ externalId }));
}

export function geoLocation(random: Random): GeoLocation {
  const point = (): [number, number] => [
    Math.round((2 + random.next() * 8) * 1e5) / 1e5,
    Math.round((56 + random.next() * 6) * 1e5) / 1e5,
  ];
  if (random.chance(0.8)) return { type: 'Feature', geometry: { type: 'Point', coordinates: point() } };
  return { type: 'Feature', geometry: { type: 'LineString', coordinates: [point(), point()] } };
}

/** 1..`max` picks from `from`, without repeats (a repeated pick is skipped, so there may be fewer). */
export function distinctPicks(random: Random, from: readonly number[], max: number): number[] {
  const picked: number[] = [];
  const count = random.int(1, max);
  for (let i = 0; i < count; i++) {
    const value = random.pick(from);
    if (!picked.includes(value)) picked.push(value);
  }
  return picked;
}
