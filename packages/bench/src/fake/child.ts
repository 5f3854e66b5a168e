/**
 * The fake CDF's own process: started by `forkFakeCdf` with its options as JSON in argv[2],
 * it reports its URL over IPC and then obeys `Command`s until told to close.
 */
import { startMockCdf } from '@cdf-loader/mock-cdf';
import { type FakeCdfOptions, mockSettings, pickCounters } from './fake-cdf.js';
import type { Command, ReadyMessage, Reply } from './protocol.js';

const send = process.send?.bind(process);
if (send === undefined) throw new Error('child.js must be started with child_process.fork');

const options = JSON.parse(process.argv[2] ?? '{}') as FakeCdfOptions;
const mock = await startMockCdf({
  counts: { files: options.files },
  ...mockSettings({ latencyMs: options.latencyMs ?? 0, concurrencyLimit: options.concurrencyLimit }),
});

process.on('message', (message: Command) => {
  void (async (): Promise<Reply> => {
    const reply: Reply = { type: 'reply', seq: message.seq };
    try {
      if (message.command === 'configure') mock.configure(mockSettings(message.settings));
      else if (message.command === 'reset') mock.reset();
      else if (message.command === 'counters') reply.counters = pickCounters(mock.counters);
      else await mock.close();
    } catch (error) {
      reply.error = error instanceof Error ? error.message : String(error);
    }
    return reply;
  })().then((reply) => {
    // After 'close', the reply goes out before the channel closes; then nothing keeps the process alive.
    send(reply, () => {
      if (message.command === 'close') process.disconnect();
    });
  });
});

const ready: ReadyMessage = {
  type: 'ready',
  url: mock.url,
  project: mock.project,
  token: mock.token,
  fileIds: mock.data.files.map((file) => file.id),
};
send(ready);
