import { describeValue } from './describe-value.js';

/** The longest delay a Node timer holds; beyond it Node fires after 1 ms instead. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** What a number option may be. */
export interface NumberBounds {
  /** Smallest value allowed. */
  min: number;
  /** Largest finite value allowed. @default Number.MAX_SAFE_INTEGER */
  max?: number;
  /** Whole numbers only. */
  integer?: boolean;
  /** `Infinity` is allowed too, meaning "never" or "no limit". */
  infinity?: boolean;
  /** The unit, for the message: `milliseconds`. */
  unit?: string;
  /** What the maximum is, for the message: `what a timer holds`. */
  maxReason?: string;
  /** How to name `min` in the message when it is another option: `` `retry.baseDelayMs` ``. */
  minName?: string;
}

/**
 * The one checker of number options.
 * @throws {TypeError} naming the option, the allowed range and the value given.
 */
export function checkNumber(name: string, value: unknown, bounds: NumberBounds): number {
  const { min, max = Number.MAX_SAFE_INTEGER, integer = false, infinity = false } = bounds;
  if (typeof value === 'number') {
    if (value === Number.POSITIVE_INFINITY ? infinity : value >= min && value <= max && (!integer || Number.isInteger(value))) {
      return value;
    }
  }
  const kind = integer ? 'an integer' : 'a number';
  const unit = bounds.unit === undefined ? '' : ` of ${bounds.unit}`;
  const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${bounds.minName ?? min}` : `from ${bounds.minName ?? min} to ${max}`;
  const reason = bounds.maxReason === undefined ? '' : ` (${bounds.maxReason})`;
  const alternative = infinity ? ', or Infinity' : '';
  throw new TypeError(`\`${name}\` must be ${kind}${unit} ${range}${reason}${alternative}, got ${describeValue(value)}.`);
}

/** A time in milliseconds that a timer can hold; `infinity` where "never" makes sense. */
export function checkMilliseconds(name: string, value: unknown, min: number, infinity: boolean, minName?: string): number {
  return checkNumber(name, value, { min, max: MAX_TIMER_MS, infinity, unit: 'milliseconds', maxReason: 'what a timer holds', ...(minName === undefined ? {} : { minName }) });
}

/** A count: an integer ≥ `min`. */
export function checkCount(name: string, value: unknown, min: number, max?: number, maxReason?: string): number {
  return checkNumber(name, value, { min, integer: true, ...(max === undefined ? {} : { max }), ...(maxReason === undefined ? {} : { maxReason }) });
}

/** The value as an http(s) URL, or `undefined` when it is not a string holding one. */
export function httpUrl(value: unknown): URL | undefined {
  if (typeof value !== 'string' || !URL.canParse(value)) return undefined;
  const url = new URL(value);
  return url.protocol === 'https:' || url.protocol === 'http:' ? url : undefined;
}

export function checkBoolean(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new TypeError(`\`${name}\` must be true or false, got ${describeValue(value)}.`);
  return value;
}

/** One of `allowed` (strings), or a `TypeError` listing them: "`lane` must be 'background' or 'interactive', got …". */
export function checkOneOf<T extends string>(name: string, value: unknown, allowed: readonly T[]): T {
  if (!(allowed as readonly unknown[]).includes(value)) {
    const listed = allowed.map((choice) => `'${choice}'`);
    throw new TypeError(`\`${name}\` must be ${listed.slice(0, -1).join(', ')} or ${listed.at(-1)!}, got ${describeValue(value)}.`);
  }
  return value as T;
}

export function checkObject(name: string, value: unknown, alternative = ''): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`\`${name}\` must be an object${alternative}, got ${describeValue(value)}.`);
  }
  return value as Record<string, unknown>;
}

export function checkNonEmptyString(name: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new TypeError(`\`${name}\` must be a non-empty string, got ${describeValue(value)}.`);
  }
  return value;
}

export function checkFunction<T>(name: string, value: unknown, required: boolean): T {
  if ((value !== undefined || required) && typeof value !== 'function') {
    throw new TypeError(`\`${name}\` must be a function, got ${describeValue(value)}.`);
  }
  return value as T;
}

/**
 * Throws for a key `known` does not list: a typo such as `maxBatch` is named, with the known
 * option it most resembles.
 */
export function checkKnownKeys(where: string, options: object, known: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const closest = closestName(key, known);
    const hint = closest === undefined ? `; known options: ${known.map((name) => `\`${name}\``).join(', ')}` : `; did you mean \`${where}${closest}\`?`;
    throw new TypeError(`Unknown option \`${where}${key}\`${hint}`);
  }
}

/** The known name nearest to `name` by edit distance, when near enough to be a typo. */
function closestName(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  const lower = name.toLowerCase();
  for (const candidate of known) {
    const other = candidate.toLowerCase();
    const distance = other.startsWith(lower) || lower.startsWith(other) ? 1 : editDistance(lower, other);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** A positive finite number, such as a rate: `unit` names what it counts, for the message. */
export function checkPositiveNumber(name: string, value: unknown, unit: string): number {
  if (typeof value === 'number' && value > 0 && Number.isFinite(value)) return value;
  throw new TypeError(`\`${name}\` must be a positive finite number of ${unit}, got ${describeValue(value)}.`);
}
