import cliProgress from 'cli-progress';
import { count } from './summary.js';

/** Counts identifiers done on a progress bar; does nothing where nobody sees one. */
export interface Progress {
  tick(): void;
  stop(): void;
}

/** Recomputing the rate on every identifier would cost more than drawing it. */
const RATE_EVERY = 100;

/**
 * A progress bar with rate and ETA on `stream` when it is a terminal (with `total`, the number
 * of identifiers, when known: a bar and an ETA; without, a count and a rate), else nothing.
 */
export function createProgress(stream: NodeJS.WritableStream & { isTTY?: boolean }, total: number | undefined): Progress {
  if (stream.isTTY !== true) return { tick: () => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format:
        total === undefined
          ? 'cdf-loader {value} identifiers · {rate}/s · {duration_formatted}'
          : 'cdf-loader {bar} {percentage}% · {value}/{total} identifiers · {rate}/s · ETA {eta_formatted}',
      formatValue: (value, _options, type) => (type === 'value' || type === 'total' ? count(value) : String(value)),
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 10_000,
    },
    cliProgress.Presets.shades_classic,
  );
  const startedAt = performance.now();
  let done = 0;
  bar.start(total ?? 0, 0, { rate: '0' });
  return {
    tick() {
      done++;
      if (done % RATE_EVERY === 0) bar.update(done, { rate: count(Math.round((done / (performance.now() - startedAt)) * 1000)) });
    },
    stop() {
      bar.update(done);
      bar.stop();
    },
  };
}
