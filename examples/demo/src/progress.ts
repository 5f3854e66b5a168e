/** Where progress goes: stderr, or a stand-in in tests. */
export interface ProgressStream {
  write(text: string): unknown;
  /** On a terminal the line is redrawn in place with `\r`; elsewhere a line is appended now and then. */
  isTTY?: boolean;
}

const TTY_INTERVAL_MS = 100;
const LOG_INTERVAL_MS = 2_000;

/** A progress line for one phase: redrawn while it runs, written once more when it ends. */
export class ProgressLine {
  readonly #stream: ProgressStream;
  readonly #render: () => string;
  readonly #timer: NodeJS.Timeout;

  constructor(stream: ProgressStream, render: () => string) {
    this.#stream = stream;
    this.#render = render;
    this.#timer = setInterval(() => this.#write(), stream.isTTY === true ? TTY_INTERVAL_MS : LOG_INTERVAL_MS);
    this.#timer.unref();
  }

  /** Stops redrawing and leaves the final line on the stream. */
  end(): void {
    clearInterval(this.#timer);
    this.#write();
    if (this.#stream.isTTY === true) this.#stream.write('\n');
  }

  #write(): void {
    // \x1b[K clears what a longer previous line left to the right.
    this.#stream.write(this.#stream.isTTY === true ? `\r${this.#render()}\x1b[K` : `${this.#render()}\n`);
  }
}
