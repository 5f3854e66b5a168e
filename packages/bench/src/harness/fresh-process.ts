/**
 * Runs one measured run in a fresh Node process, as a user's service or script runs: no JIT
 * warmed by earlier runs, a heap that starts small, every GC of the run counted. The child
 * (`fresh-child.js`) imports `module`, calls its export `name` with `args` and sends back what it
 * returns. Run from the sources (the harness's test, under vitest) there is no child script to
 * fork, so the run happens in this process (correctness only, never speed).
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Whether runs fork (the built bench) or stay in this process (the harness's test). */
export const FORKS = import.meta.url.endsWith('.js');

export async function runFresh<TArgs, TResult>(module: string, name: string, args: TArgs): Promise<TResult> {
  if (!FORKS) {
    const exported = (await import(module)) as Record<string, (args: TArgs) => Promise<TResult>>;
    return exported[name]!(args);
  }
  const child = fork(fileURLToPath(new URL('./fresh-child.js', import.meta.url)), [module, name], {
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise<TResult>((resolve, reject) => {
    let answered = false;
    child.once('message', (reply: { result?: TResult; error?: string }) => {
      answered = true;
      if (reply.error === undefined) resolve(reply.result as TResult);
      else reject(new Error(`${name} in a fresh process: ${reply.error}`));
    });
    child.once('exit', (code) => {
      if (!answered) reject(new Error(`${name} in a fresh process exited with code ${code} before answering`));
    });
    child.send({ args });
  });
}
