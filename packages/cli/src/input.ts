import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

/**
 * What one line of the ids file names: `{ id }` for digits, the parsed value for anything else
 * that is JSON, else the line itself. `loadAll` checks it with the identifier rules (those of
 * `parseIdentifier`), so a line that names no valid identifier becomes an
 * `InvalidIdentifierError` result in its place, saying why.
 */
export function identifierOfLine(line: string): unknown {
  if (/^\d+$/.test(line)) {
    const id = Number(line);
    // Beyond 2^53 − 1 the number would be rounded; the text shows the value as written.
    return { id: Number.isSafeInteger(id) ? id : line };
  }
  try {
    return JSON.parse(line) as unknown;
  } catch {
    return line;
  }
}

/** The non-blank lines of `input`, trimmed (so CRLF files read like LF ones), read as they are needed. */
export async function* nonBlankLines(input: Readable): AsyncGenerator<string, void, undefined> {
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  try {
    for await (const line of lines) {
      const trimmed = line.trim();
      if (trimmed !== '') yield trimmed;
    }
  } finally {
    lines.close();
  }
}

/** How many identifiers `input` holds (its non-blank lines), for the progress bar's ETA. */
export async function countIdentifiers(input: Readable): Promise<number> {
  let count = 0;
  for await (const _ of nonBlankLines(input)) count++;
  return count;
}
