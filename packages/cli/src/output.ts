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
export function errorRecord(error: Error): { name: string; message: string; status?: number } {
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
    const body = result.error === undefined ? { identifier: result.identifier, item: result.item } : { identifier: result.identifier, error: errorRecord(result.error) };
    return `${JSON.stringify(body)}\n`;
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
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** Writes to a stream, waiting whenever it asks to (backpressure), so output never piles up in memory. */
export class OutputWriter {
  readonly #stream: Writable;
  #failed: Error | undefined;

  constructor(stream: Writable) {
    this.#stream = stream;
    stream.on('error', (error: Error) => {
      this.#failed ??= error;
    });
  }

  async write(text: string): Promise<void> {
    if (this.#failed !== undefined) throw this.#failed;
    // `once` rejects if the stream fails meanwhile.
    if (!this.#stream.write(text)) await once(this.#stream, 'drain');
  }

  /** Ends the stream (a file) and waits until everything is written. */
  async end(): Promise<void> {
    if (this.#failed !== undefined) throw this.#failed;
    const finished = once(this.#stream, 'finish');
    this.#stream.end();
    await finished;
  }
}
