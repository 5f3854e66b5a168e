/**
 * A replica's own process, forked by `runReplicas`: it gets its job, makes its loaders and says
 * it is ready, serves its operations when told to go, sends what they gave, and exits.
 */
import { prepareReplica } from './replica.js';
import type { FromReplica, ToReplica } from './replica-messages.js';

const send = process.send?.bind(process);
if (send === undefined) throw new Error('replicas/child.js must be started with child_process.fork');
const tell = (message: FromReplica, then: () => void = () => {}): void => void send(message, then);
const failed = (error: unknown): void => tell({ type: 'error', message: error instanceof Error ? error.message : String(error) }, () => process.disconnect());

process.once('message', (job: ToReplica) => {
  if (job.type !== 'job') return failed(new Error(`expected a job first, got '${job.type}'`));
  prepareReplica(job.job).then((replica) => {
    process.once('message', () => {
      replica.run().then((outcome) => tell({ type: 'outcome', outcome }, () => process.disconnect()), failed);
    });
    tell({ type: 'ready' });
  }, failed);
});
// The demo went away (it failed, or was stopped): nothing is left to do.
process.once('disconnect', () => process.exit());
