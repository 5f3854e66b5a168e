import type { Status } from './output.js';

/** Not-found identifiers and failures listed by name in the summary; the rest are counted. */
const LISTED = 10;

/** How the run went, counted as results are written (and read back with `--resume`). */
export class Tally {
  found = 0;
  notFound = 0;
  failed = 0;
  /** Results that were already in `--out`. */
  earlier = 0;
  readonly #notFoundListed: string[] = [];
  readonly #failuresListed: string[] = [];

  add(identifier: unknown, status: Status, message: string | undefined): void {
    if (status === 'found') {
      this.found++;
    } else if (status === 'not_found') {
      if (++this.notFound <= LISTED) this.#notFoundListed.push(JSON.stringify(identifier));
    } else if (++this.failed <= LISTED) {
      this.#failuresListed.push(`${JSON.stringify(identifier)}: ${message ?? 'failed'}`);
    }
  }

  get total(): number {
    return this.found + this.notFound + this.failed;
  }

  /** 0: every identifier found; 3: some not found; 1: some failed. */
  get exitCode(): number {
    return this.failed > 0 ? 1 : this.notFound > 0 ? 3 : 0;
  }

  /**
   * The summary: one line of counts, then the identifiers not found (when that is the worst of
   * it) or the failures, the first few by name and then how many more.
   */
  summary(details: { requests: number; seconds: number }): string {
    const earlier = this.earlier > 0 ? ` (${count(this.earlier)} already in --out)` : '';
    const lines = [
      `cdf-loader: ${counted(this.total, 'identifier')}${earlier} · ${count(this.found)} found · ${count(this.notFound)} not found · ` +
        `${count(this.failed)} failed · ${counted(details.requests, 'request')} · ${details.seconds.toFixed(1)} s`,
    ];
    if (this.failed > 0) lines.push('failed:', ...withMore(this.#failuresListed, this.failed).map((line) => `  ${line}`));
    else if (this.notFound > 0) lines.push(`not found: ${withMore(this.#notFoundListed, this.notFound).join(', ')}`);
    return `${lines.join('\n')}\n`;
  }
}

/** The names listed, then '… and N more' for the rest. */
function withMore(names: readonly string[], total: number): string[] {
  return total > names.length ? [...names, `… and ${count(total - names.length)} more`] : [...names];
}

/** 1, 'request' → '1 request'; 2000, 'request' → '2,000 requests'. */
function counted(value: number, noun: string): string {
  return `${count(value)} ${noun}${value === 1 ? '' : 's'}`;
}

/** 100000 → '100,000'. */
export function count(value: number): string {
  return value.toLocaleString('en-US');
}
