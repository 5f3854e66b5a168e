/** A value as an error message shows it: numbers as written (NaN, Infinity, -1), anything else as JSON. */
function shown(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'bigint' || value === undefined) return String(value);
  return JSON.stringify(value) ?? String(value);
}

/** The error for an option outside its range: which one, what it must be, what it was. */
export function outOfRange(name: string, rule: string, value: unknown): RangeError {
  return new RangeError(`${name} must be ${rule}, got ${shown(value)}`);
}
