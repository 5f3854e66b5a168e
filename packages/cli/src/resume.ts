import { createReadStream } from 'node:fs';
import { stat, truncate } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { parseIdentifier } from 'cdf-loader';
import { type Format, UsageError } from './args.js';
import { CSV_COLUMNS, type Status } from './output.js';

/** One result an earlier run wrote. */
export interface EarlierResult {
  identifier: unknown;
  status: Status;
  /** The error's message, for `error` results. */
  message: string | undefined;
}

/** What `--resume` found in `--out`. */
export interface EarlierRun {
  /** `resumeKey` of every identifier already there. */
  keys: Set<string>;
  /** The file has no record, not even the CSV header: a new run's header is still to be written. */
  empty: boolean;
}

/**
 * One key per identifier, the same however the identifier was written (`{"id":1}` in the ids
 * file, `{ "id": 1 }` in the output): the canonical form `parseIdentifier` gives, or the JSON of
 * what was there for a line that named no valid identifier.
 */
export function resumeKey(identifier: unknown): string {
  try {
    return JSON.stringify(parseIdentifier(identifier));
  } catch {
    return `invalid ${JSON.stringify(identifier)}`;
  }
}

/**
 * Reads the results an earlier run wrote to `path`, calling `onResult` for each. A last record
 * cut short (the run was killed mid-write) is removed from the file, so appending starts on a
 * clean line and that identifier is looked up again. Resolves to `undefined` when there is no file.
 * @throws {UsageError} when the file holds something cdf-loader did not write in this format.
 */
export async function readEarlierRun(path: string, format: Format, onResult: (result: EarlierResult) => void): Promise<EarlierRun | undefined> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UsageError(`Cannot read --out '${path}' to resume: ${(error as Error).message}`);
  }
  const keys = new Set<string>();
  const splitter = new RecordSplitter(format);
  const decoder = new StringDecoder('utf8');
  let records = 0;
  const take = (record: string): void => {
    records++;
    if (format === 'csv' && records === 1) {
      if (record !== CSV_COLUMNS.join(',')) throw notOurs(path, format, records, 'it does not start with the CSV header cdf-loader writes');
      return;
    }
    const result = format === 'csv' ? fromCsv(record) : fromNdjson(record);
    if (typeof result === 'string') throw notOurs(path, format, records, result);
    keys.add(resumeKey(result.identifier));
    onResult(result);
  };
  for await (const chunk of createReadStream(path)) {
    for (const record of splitter.push(decoder.write(chunk as Buffer))) take(record);
  }
  const cutShort = splitter.rest + decoder.end();
  if (cutShort !== '') await truncate(path, size - Buffer.byteLength(cutShort));
  return { keys, empty: records === 0 };
}

function notOurs(path: string, format: Format, record: number, why: string): UsageError {
  return new UsageError(
    `--out '${path}' record ${record} is not a ${format} result cdf-loader wrote (${why}); --resume needs the file an earlier run with the same --format wrote`,
  );
}

/** An NDJSON output line as a result, or what is wrong with it. */
function fromNdjson(line: string): EarlierResult | string {
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    return 'not JSON';
  }
  if (typeof record !== 'object' || record === null || !('identifier' in record)) return 'no `identifier`';
  const { identifier, item, error } = record as { identifier: unknown; item?: unknown; error?: { message?: unknown } };
  if (error !== undefined) return { identifier, status: 'error', message: typeof error.message === 'string' ? error.message : undefined };
  if (item === undefined) return 'neither `item` nor `error`';
  return { identifier, status: item === null ? 'not_found' : 'found', message: undefined };
}

/** A CSV output record as a result, or what is wrong with it. */
function fromCsv(record: string): EarlierResult | string {
  const fields = parseCsvRecord(record);
  if (fields === undefined || fields.length !== CSV_COLUMNS.length) return `not ${CSV_COLUMNS.length} fields`;
  const [identifierJson, status, , , , message] = fields as [string, string, string, string, string, string, string];
  if (status !== 'found' && status !== 'not_found' && status !== 'error') return `status '${status}'`;
  try {
    return { identifier: JSON.parse(identifierJson) as unknown, status, message: status === 'error' ? message : undefined };
  } catch {
    return 'the identifier is not JSON';
  }
}

/** The fields of one RFC 4180 record (without its line end); `undefined` when its quotes do not pair up. */
export function parseCsvRecord(record: string): string[] | undefined {
  const fields: string[] = [];
  let at = 0;
  for (;;) {
    if (record[at] === '"') {
      let value = '';
      let from = at + 1;
      for (;;) {
        const quote = record.indexOf('"', from);
        if (quote === -1) return undefined;
        value += record.slice(from, quote);
        if (record[quote + 1] !== '"') {
          at = quote + 1;
          break;
        }
        value += '"';
        from = quote + 2;
      }
      fields.push(value);
    } else {
      const comma = record.indexOf(',', at);
      const end = comma === -1 ? record.length : comma;
      fields.push(record.slice(at, end));
      at = end;
    }
    if (at === record.length) return fields;
    if (record[at] !== ',') return undefined;
    at++;
  }
}

/**
 * Cuts text read in chunks into records: NDJSON lines, or CSV records, which end at a line
 * break outside quotes. What follows the last record end waits in `rest`.
 */
class RecordSplitter {
  readonly #csv: boolean;
  #pending = '';
  /** Where the scan for the next record end resumes in `#pending`, and whether it is inside quotes there. */
  #scanned = 0;
  #inQuotes = false;

  constructor(format: Format) {
    this.#csv = format === 'csv';
  }

  get rest(): string {
    return this.#pending;
  }

  push(text: string): string[] {
    this.#pending += text;
    const records: string[] = [];
    let start = 0;
    for (let end = this.#nextEnd(this.#scanned); end !== -1; end = this.#nextEnd(start)) {
      records.push(this.#pending.slice(start, end > start && this.#pending[end - 1] === '\r' ? end - 1 : end));
      start = end + 1;
    }
    this.#pending = this.#pending.slice(start);
    this.#scanned = this.#pending.length;
    return records;
  }

  /** The index of the next record's line break from `from`, or -1 when `#pending` holds none. */
  #nextEnd(from: number): number {
    if (!this.#csv) return this.#pending.indexOf('\n', from);
    for (let at = from; at < this.#pending.length; at++) {
      const char = this.#pending[at];
      if (char === '"') this.#inQuotes = !this.#inQuotes;
      else if (char === '\n' && !this.#inQuotes) return at;
    }
    return -1;
  }
}
