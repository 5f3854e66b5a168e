import type { CliIo } from '../cli.js';
import { openRedis } from './redis-server.js';
import { renderReplicasHeader, renderReplicasReport } from './replicas-report.js';
import { type ReplicasDemoConfig, runReplicasDemo } from './run-replicas.js';

/**
 * `pnpm demo --replicas N`: prints what it is about to run, finds Redis (`REDIS_URL`, or a private
 * redis-server), runs the replicas demo and prints the report. Resolves to how it ended, for the
 * exit code: `ok` when every answer was right, `failed` when not (or the run could not finish),
 * `usage` when there is no Redis (the message says how to get one).
 */
export async function runReplicasCli(config: ReplicasDemoConfig, io: CliIo): Promise<'ok' | 'failed' | 'usage'> {
  io.stdout.write(renderReplicasHeader(config));
  const redis = await openRedis(config.replicas.redisUrl);
  if (typeof redis === 'string') {
    io.stderr.write(`${redis}\n`);
    return 'usage';
  }
  try {
    const report = await runReplicasDemo(config, redis, io);
    io.stdout.write(renderReplicasReport(report));
    return report.ok ? 'ok' : 'failed';
  } catch (error) {
    io.stderr.write(`The demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return 'failed';
  } finally {
    await redis.stop();
  }
}
