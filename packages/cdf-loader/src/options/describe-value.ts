const MAX_LENGTH = 120;
const MAX_DEPTH = 4;

/**
 * A short, printable rendering of any value for error messages: JSON-like, but a value is shown
 * as it is (`NaN`, `Infinity`, `12n`, `undefined`) where JSON would hide it (`null`, a throw).
 */
export function describeValue(value: unknown): string {
  const text = render(value, MAX_DEPTH, new Set());
  return text.length > MAX_LENGTH ? `${text.slice(0, MAX_LENGTH)}…` : text;
}

function render(value: unknown, depth: number, seen: Set<object>): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'bigint':
      return `${value}n`;
    case 'function':
      return `[function ${value.name || 'anonymous'}]`;
    case 'symbol':
      return value.toString();
    case 'object':
      return value === null ? 'null' : renderObject(value, depth, seen);
    default:
      return String(value);
  }
}

function renderObject(value: object, depth: number, seen: Set<object>): string {
  if (seen.has(value)) return '[circular]';
  const isArray = Array.isArray(value);
  const isPlain = isArray || Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null;
  if (!isPlain) return Object.prototype.toString.call(value);
  if (depth === 0) return isArray ? '[…]' : '{…}';
  seen.add(value);
  // Long inputs are cut at MAX_LENGTH anyway: stop walking once there is enough to show.
  const parts: string[] = [];
  let length = 0;
  const entries = isArray ? value.map((element, index) => [String(index), element] as const) : Object.entries(value);
  for (const [key, element] of entries) {
    const part = isArray ? render(element, depth - 1, seen) : `${JSON.stringify(key)}:${render(element, depth - 1, seen)}`;
    parts.push(part);
    length += part.length + 1;
    if (length > MAX_LENGTH) break;
  }
  seen.delete(value);
  return isArray ? `[${parts.join(',')}]` : `{${parts.join(',')}}`;
}
