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
 * it (the empty line between `\r` and `\n` is blank, so skipped). The stream's chunks are split
 * here (readline's async iterator under generators cost three promises and an event per line),
 * and a line of a chunk already read is handed out as a settled promise: no generator, whose
 * every `yield` costs an await.
 */
export function identifiersOf(input: Readable, skip: (identifier: unknown) => boolean = () => false): AsyncIterableIterator<unknown> {
  return new IdentifierReader(lineBatches(input), skip);
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/** `identifiersOf`'s iterator. Read as `loadAll` reads: one `next()` at a time. */
class IdentifierReader implements AsyncIterableIterator<unknown> {
  readonly #batches: AsyncGenerator<string[], void, undefined>;
  readonly #skip: (identifier: unknown) => boolean;
  #lines: string[] = [];
  #index = 0;
  #done = false;

  constructor(batches: AsyncGenerator<string[], void, undefined>, skip: (identifier: unknown) => boolean) {
    this.#batches = batches;
    this.#skip = skip;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<unknown, undefined>> {
    if (this.#done) return Promise.resolve(DONE);
    const step = this.#take();
    return step === undefined ? this.#nextBatch() : Promise.resolve(step);
  }

  async return(): Promise<IteratorReturnResult<undefined>> {
    this.#done = true;
    await this.#batches.return();
    return DONE;
  }

  /** The next identifier of the chunk read, or `undefined` when it has no more. */
  #take(): IteratorYieldResult<unknown> | undefined {
    const lines = this.#lines;
    while (this.#index < lines.length) {
      const identifier = identifierOfLine(lines[this.#index++]!);
      if (!this.#skip(identifier)) return { done: false, value: identifier };
    }
    return undefined;
  }

  async #nextBatch(): Promise<IteratorResult<unknown, undefined>> {
    for (;;) {
      const batch = await this.#batches.next();
      if (batch.done === true) {
        this.#done = true;
        return DONE;
      }
      this.#lines = batch.value;
      this.#index = 0;
      const step = this.#take();
      if (step !== undefined) return step;
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
