/**
 * A replica's own process: started by `forkReplicaHost`, it obeys `ReplicaCommand`s over IPC with
 * a loader of its own, and exits when the bench disconnects.
 */
import type { ReplicaCommand, ReplicaReady, ReplicaReply } from './protocol.js';
import { inProcessReplicaHost } from './replica-host.js';

const send = process.send?.bind(process);
if (send === undefined) throw new Error('replicas/child.js must be started with child_process.fork');

const host = inProcessReplicaHost();
process.on('message', (message: ReplicaCommand) => {
  const reply: ReplicaReply = { type: 'reply', seq: message.seq };
  const done =
    message.command === 'prepare' ? host.prepare(message.setup) : message.command === 'run' ? host.run().then((result) => void (reply.result = result)) : host.release();
  void done.then(
    () => send(reply),
    (error: unknown) => send({ ...reply, error: error instanceof Error ? error.message : String(error) }),
  );
});
process.once('disconnect', () => void host.release().finally(() => process.exit(0)));

const ready: ReplicaReady = { type: 'ready' };
send(ready);
