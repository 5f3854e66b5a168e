import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FakeCdf, FakeCdfCounters, FakeCdfOptions } from './fake-cdf.js';
import type { Command, ReadyMessage, Reply } from './protocol.js';

/** Distributes `Omit` over the union, so each command keeps its own fields. */
type CommandBody = Command extends infer C ? (C extends Command ? Omit<C, 'seq'> : never) : never;

/**
 * Starts the fake CDF in a child process (`child.js`), so the fake and the client under test do
 * not share an event loop or a CPU core; talks to it over IPC.
 */
export async function forkFakeCdf(options: FakeCdfOptions): Promise<FakeCdf> {
  const script = fileURLToPath(new URL('./child.js', import.meta.url));
  // 'advanced' serialization keeps `undefined` (no concurrency limit) intact.
  const child = fork(script, [JSON.stringify(options)], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiting = new Map<number, { resolve: (reply: Reply) => void; reject: (error: Error) => void }>();
  let seq = 0;

  const ready = await new Promise<ReadyMessage>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the fake CDF exited with code ${code} before it was ready`)));
    child.once('message', (message: ReadyMessage) => resolve(message));
  });
  child.removeAllListeners('exit');
  child.on('exit', (code) => {
    for (const { reject } of waiting.values()) reject(new Error(`the fake CDF exited with code ${code}`));
    waiting.clear();
  });
  child.on('message', (reply: Reply) => {
    const entry = waiting.get(reply.seq);
    waiting.delete(reply.seq);
    if (reply.error === undefined) entry?.resolve(reply);
    else entry?.reject(new Error(`fake CDF: ${reply.error}`));
  });

  const call = (body: CommandBody): Promise<Reply> =>
    new Promise((resolve, reject) => {
      const command = { ...body, seq: ++seq } as Command;
      waiting.set(command.seq, { resolve, reject });
      child.send(command);
    });

  return {
    url: ready.url,
    project: ready.project,
    token: ready.token,
    fileIds: ready.fileIds,
    configure: async (settings) => void (await call({ command: 'configure', settings })),
    reset: async () => void (await call({ command: 'reset' })),
    counters: async () => (await call({ command: 'counters' })).counters as FakeCdfCounters,
    close: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      await call({ command: 'close' });
      await exited;
    },
  };
}
