import { startMockCdf } from '@cdf-loader/mock-cdf';
import { clientCredentials, type FileInfo } from 'cdf-loader';
import type { CdfTarget, MockTarget, WorkloadSize } from './config.js';
import { type FileAnswer, fileAnswer } from './schema.js';
import { createRandom, type FileRef } from './workload.js';

/** What the fake CDF itself counted during one strategy's run. */
export interface ServerCounts {
  requests: number;
  items: number;
  throttled: number;
  maxConcurrent: number;
}

/** Where the strategies send their requests, and what the demo knows about the data there. */
export interface RunTarget {
  baseUrl: string;
  project: string;
  getToken: () => Promise<string> | string;
  /** The file references the workload's assets may hold. */
  pool: readonly FileRef[];
  /** The right answer for a reference, when the demo knows the data (the fake); else undefined. */
  oracle: ((ref: FileRef) => FileAnswer | null) | undefined;
  /**
   * Fake only: zeroes the fake's counters before a strategy runs, and reads them after; `down`
   * makes it answer 503 to every byids request (an outage) until `up`.
   */
  server: { reset(): void; counts(): ServerCounts; down(): void; up(): void } | undefined;
  close(): Promise<void>;
}

/**
 * Starts the fake CDF and picks the workload's files from its data: `hotFiles` of them, some
 * by external id, plus a share of references to files that do not exist.
 */
export async function openMockTarget(target: MockTarget, size: WorkloadSize): Promise<RunTarget> {
  const fake = await startMockCdf({
    counts: { files: target.files },
    latency: target.latency,
    concurrencyLimit: target.concurrencyLimit,
    seed: size.seed,
  });
  const random = createRandom(size.seed + 1);
  const { files } = fake.data;
  const hot = Math.min(size.hotFiles, files.length);
  const pool = Array.from({ length: hot }, (_, index): FileRef => {
    const file = files[Math.floor((index * files.length) / hot)] as FileInfo;
    return file.externalId !== undefined && random() < 0.4 ? { externalId: file.externalId } : { id: file.id };
  });
  const unknown = Math.round(pool.length * size.unknownShare);
  // The fake's ids start at 1e12, so small ids are unknown, as is this external id pattern.
  for (let index = 1; index <= unknown; index++) pool.push(index % 2 === 0 ? { id: index } : { externalId: `deleted/file-${index}.pdf` });
  for (let index = pool.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [pool[index], pool[other]] = [pool[other] as FileRef, pool[index] as FileRef];
  }
  return {
    baseUrl: fake.url,
    project: fake.project,
    getToken: () => fake.token,
    pool,
    oracle: (ref) => fileAnswer((fake.data.find('files', ref) as FileInfo | undefined) ?? null),
    server: {
      reset: () => fake.reset(),
      down: () => fake.addFault({ status: 503 }),
      up: () => fake.clearFaults(),
      counts: () => {
        const { requests, items, throttled, maxConcurrent } = fake.counters;
        return { requests, items, throttled, maxConcurrent };
      },
    },
    close: () => fake.close(),
  };
}

/**
 * A real CDF project: the given ids are the pool. Gets a first token before anything runs, so
 * bad credentials fail at once with the token endpoint's answer.
 */
export async function openCdfTarget(target: CdfTarget): Promise<RunTarget> {
  const { credentials } = target;
  const getToken =
    credentials.kind === 'token'
      ? () => credentials.token
      : clientCredentials({ tokenUrl: credentials.tokenUrl, clientId: credentials.clientId, clientSecret: credentials.clientSecret, scopes: credentials.scopes });
  try {
    await getToken();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${message}. Check CDF_TOKEN_URL, CDF_CLIENT_ID, CDF_CLIENT_SECRET and CDF_SCOPES.`, { cause: error });
  }
  const ids = [...new Set(target.ids)];
  return {
    baseUrl: target.baseUrl,
    project: target.project,
    getToken,
    pool: ids.map((id) => ({ id })),
    oracle: undefined,
    server: undefined,
    close: async () => {},
  };
}
