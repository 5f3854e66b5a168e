import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * V8's `gc()`. Exposed at run time when node was started without `--expose-gc`: the flag makes
 * new contexts get a `gc` global, so neither `pnpm bench` nor a re-spawn needs the flag.
 */
const gc: () => void = (() => {
  const exposed = globalThis.gc;
  // Called without options, V8's gc() collects synchronously.
  if (typeof exposed === 'function') return () => void exposed();
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();

/**
 * Full GCs until the heap is settled. One is not enough: objects held weakly (such as the
 * dependent signals of `AbortSignal.any`) go only after their finalizers ran, in a later turn.
 */
export async function collectGarbage(): Promise<void> {
  for (let pass = 0; pass < 3; pass++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Bytes in use on the JS heap now. */
export function heapUsed(): number {
  return process.memoryUsage().heapUsed;
}
