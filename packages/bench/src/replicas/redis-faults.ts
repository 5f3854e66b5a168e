import type { PrivateRedisServer } from '@cdf-loader/redis/testing';
import { createClient } from 'redis';
import { seededRandom } from '../random.js';

/** What B10 does to the replicas' Redis during a run. */
export type RedisFault = 'none' | 'paused' | 'killed' | 'poisoned';

/** When and for how long a fault strikes, in ms from the start of the run. */
export interface FaultTiming {
  /** When the fault starts. */
  atMs: number;
  /** How long Redis stays paused, or down before it is started again (empty). */
  forMs: number;
  /** Of the entries in Redis when the fault strikes, the share swapped with another's, and the share corrupted. */
  poisonShare: number;
}

/** What a fault did, for the report. */
export interface FaultRecord {
  /** Entries swapped with another key's or corrupted (`poisoned` only). */
  poisoned: number;
}

/**
 * Strikes `fault` at `timing.atMs` into the run: pauses the server (SIGSTOP, then SIGCONT after
 * `forMs`), kills it and starts it again empty on the same port after `forMs`, or poisons the
 * entries under `keyPrefix` (see `poison`). Resolves once the fault is over.
 */
export async function strike(fault: RedisFault, server: PrivateRedisServer, keyPrefix: string, timing: FaultTiming): Promise<FaultRecord> {
  if (fault === 'none') return { poisoned: 0 };
  await delay(timing.atMs);
  if (fault === 'paused') {
    server.pause();
    await delay(timing.forMs);
    server.resume();
    return { poisoned: 0 };
  }
  if (fault === 'killed') {
    await server.kill();
    await delay(timing.forMs);
    await server.restart();
    return { poisoned: 0 };
  }
  return { poisoned: await poison(server.url, keyPrefix, timing.poisonShare) };
}

/**
 * Untrusted values where the replicas' entries were: of the cache entries under `keyPrefix` (not
 * claims, marks or stale copies), a `share` is swapped pairwise (each key then holds another
 * item's record) and as many again corrupted (cut in half, or replaced by bytes that are no
 * record), keeping their time to live. Returns how many entries it changed.
 */
async function poison(url: string, keyPrefix: string, share: number): Promise<number> {
  const client = await createClient({ url }).connect();
  try {
    const keys: string[] = [];
    for await (const batch of client.scanIterator({ MATCH: `${keyPrefix}*`, COUNT: 1000 })) {
      for (const key of batch) if (/:\d+:\d+$/.test(key)) keys.push(key);
    }
    const random = seededRandom(10);
    keys.sort((a, b) => (a < b ? -1 : 1));
    for (let index = keys.length - 1; index > 0; index--) {
      const other = Math.floor(random() * (index + 1));
      [keys[index], keys[other]] = [keys[other]!, keys[index]!];
    }
    const count = Math.floor(keys.length * share) & ~1;
    if (count === 0) return 0;
    const swapped = keys.slice(0, count);
    const corrupted = keys.slice(count, 2 * count);
    const values = await client.mGet([...swapped, ...corrupted]);
    const writes: Promise<unknown>[] = [];
    for (let index = 0; index < swapped.length; index += 2) {
      writes.push(client.set(swapped[index]!, values[index + 1] ?? '', { expiration: 'KEEPTTL' }));
      writes.push(client.set(swapped[index + 1]!, values[index] ?? '', { expiration: 'KEEPTTL' }));
    }
    corrupted.forEach((key, index) => {
      const value = values[swapped.length + index] ?? '';
      writes.push(client.set(key, index % 2 === 0 ? value.slice(0, value.length >> 1) : '[\u0000\u00ff}', { expiration: 'KEEPTTL' }));
    });
    await Promise.all(writes);
    return swapped.length + corrupted.length;
  } finally {
    client.destroy();
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
