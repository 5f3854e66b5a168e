import type { Readable } from 'node:stream';

/**
 * What one line of the ids file names: `{ id }` for digits, the parsed value for anything else
 * that is JSON, else the line itself. `loadAll` checks it with the identifier rules (those of
 * `parseIdentifier`), so a line that names no valid identifier becomes an
 * `InvalidIdentifierError` result in its place, saying why.
 */
function identifierOfLine(line: string): unknown {
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

/**
 * What the non-blank lines of `input` name (see `identifierOfLine`), trimmed, read as they are
 * needed, leaving out those `skip` says to. A line ends at `\n`, `\r\n` or `\r`, as readline has
 * it (the empty line between `\r` and `\n` is blank, so skipped). One generator splits the
 * stream's chunks itself: readline's async iterator under a generator of lines under one of
 * identifiers cost three promises and an event per line.
 */
export async function* identifiersOf(input: Readable, skip: (identifier: unknown) => boolean = () => false): AsyncGenerator<unknown, void, undefined> {
  for await (const lines of lineBatches(input)) {
    for (const line of lines) {
      const identifier = identifierOfLine(line);
      if (!skip(identifier)) yield identifier;
    }
  }
}

/** How many identifiers `input` holds (its non-blank lines), for the progress bar's ETA. */
export async function countIdentifiers(input: Readable): Promise<number> {
  let count = 0;
  for await (const lines of lineBatches(input)) count += lines.length;
  return count;
}

/** The non-blank lines of `input`, trimmed, a chunk of the stream at a time. */
async function* lineBatches(input: Readable): AsyncGenerator<string[], void, undefined> {
  input.setEncoding('utf8');
  let rest = '';
  for await (const chunk of input as AsyncIterable<string>) {
    const lines = (rest + chunk).split(LINE_END);
    rest = lines.pop()!;
    yield nonBlank(lines);
  }
  yield nonBlank([rest]);
}

function nonBlank(lines: string[]): string[] {
  const kept: string[] = [];
  for (const line of lines) {
    const trimmed = line.trim();
    if (trimmed !== '') kept.push(trimmed);
  }
  return kept;
}

const LINE_END = /\r|\n/;
