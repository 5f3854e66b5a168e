import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { Format } from './args.js';

/** One identifier's result as the CLI writes it. */
export type ResultRecord = { identifier: unknown; item: object | null; error?: undefined } | { identifier: unknown; item?: undefined; error: Error };

/** A result's status in the CSV and the summary. */
export type Status = 'found' | 'not_found' | 'error';

/** The columns of the CSV output; `identifier` and `item` hold JSON. */
export const CSV_COLUMNS = ['identifier', 'status', 'id', 'externalId', 'name', 'error', 'item'] as const;
/** RFC 4180 ends records with CRLF. */
const CSV_RECORD_END = '\r\n';

export function statusOf(result: ResultRecord): Status {
  return result.error !== undefined ? 'error' : result.item === null ? 'not_found' : 'found';
}

/** An error as the output shows it: its name, message and, for a failed request, the HTTP status. */
function errorRecord(error: Error): { name: string; message: string; status?: number } {
  const status = (error as { status?: unknown }).status;
  return { name: error.name, message: error.message, ...(typeof status === 'number' && { status }) };
}

/** What goes at the top of a new output file. */
export function header(format: Format): string {
  return format === 'csv' ? CSV_COLUMNS.join(',') + CSV_RECORD_END : '';
}

/** One result as one output record, with its line end. */
export function formatRecord(result: ResultRecord, format: Format): string {
  if (format === 'ndjson') {
    // What `JSON.stringify({ identifier, item })` writes, without building that object per record.
    if (result.error === undefined) return `{"identifier":${JSON.stringify(result.identifier)},"item":${JSON.stringify(result.item)}}\n`;
    return `${JSON.stringify({ identifier: result.identifier, error: errorRecord(result.error) })}\n`;
  }
  const item = (result.item ?? undefined) as { id?: unknown; externalId?: unknown; name?: unknown } | undefined;
  const cells = [
    JSON.stringify(result.identifier),
    statusOf(result),
    text(item?.id),
    text(item?.externalId),
    text(item?.name),
    result.error?.message ?? '',
    item === undefined ? '' : JSON.stringify(item),
  ];
  return cells.map(csvField).join(',') + CSV_RECORD_END;
}

function text(value: unknown): string {
  return value === undefined || value === null ? '' : String(value);
}

/** A CSV field, quoted as RFC 4180 asks when it holds a comma, a quote or a line break. */
function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** Output gathered before it is written: one write per this many characters, not one per record. */
const WRITE_SIZE = 64 * 1024;

/**
 * Writes to a stream in blocks (a write per record made a system call per record to a file or
 * /dev/null, an eighth of the CLI's time over a million ids), waiting whenever the stream asks
 * to (backpressure), so output never piles up in memory. What is gathered is also written
 * whenever the process would otherwise wait (a `setImmediate`), so output keeps up with slow
 * answers.
 */
export class OutputWriter {
  readonly #stream: Writable;
  #failed: Error | undefined;
  #pending: string[] = [];
  #pendingLength = 0;
  #flushScheduled = false;

  constructor(stream: Writable) {
    this.#stream = stream;
    stream.on('error', (error: Error) => {
      this.#failed ??= error;
    });
  }

  /**
   * Gathers `text`; once a block is full, writes it and returns the promise to await (the
   * stream's drain), else `undefined`, so the common case costs no promise.
   */
  add(text: string): Promise<void> | undefined {
    if (this.#failed !== undefined) throw this.#failed;
    this.#pending.push(text);
    this.#pendingLength += text.length;
    if (this.#pendingLength >= WRITE_SIZE) return this.flush();
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      setImmediate(() => {
        this.#flushScheduled = false;
        if (this.#failed === undefined && this.#pendingLength > 0) this.#write();
      });
    }
    return undefined;
  }

  /** Writes what is gathered and waits until the stream takes more. */
  async flush(): Promise<void> {
    if (this.#failed !== undefined) throw this.#failed;
    // `once` rejects if the stream fails meanwhile.
    if (this.#pendingLength > 0 && !this.#write()) await once(this.#stream, 'drain');
  }

  /** Writes what is gathered, ends the stream (a file) and waits until everything is written. */
  async end(): Promise<void> {
    if (this.#failed !== undefined) throw this.#failed;
    if (this.#pendingLength > 0) this.#write();
    const finished = once(this.#stream, 'finish');
    this.#stream.end();
    await finished;
  }

  #write(): boolean {
    const text = this.#pending.join('');
    this.#pending = [];
    this.#pendingLength = 0;
    return this.#stream.write(text);
  }
}
