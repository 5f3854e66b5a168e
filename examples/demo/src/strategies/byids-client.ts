import type { FileInfo } from 'cdf-loader';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FileRef } from '../workload.js';
import type { CdfConnection } from './strategy.js';

/** Posts one `files/byids` request (with `ignoreUnknownIds`) and resolves to the items CDF returned. */
export type PostByIds = (refs: readonly FileRef[]) => Promise<FileInfo[]>;

/** When to give up on 429s, and how long to wait before the next attempt. */
export interface RetryPolicy {
  /** Retries after the first attempt. */
  limit: number;
  /** The cap of the wait before retry `n` (1-based), in ms; the wait is uniform below it (full jitter). */
  capMs: (retry: number) => number;
}

/**
 * A plain byids client, as hand-written service code would have: `fetch`, a bearer token on
 * every attempt, no timeout, and a retry on 429 only.
 */
export function createByIdsClient(connection: CdfConnection, retry: RetryPolicy): PostByIds {
  const post = createItemsClient(connection, retry, 'files/byids');
  return async (refs) => (await post({ items: refs, ignoreUnknownIds: true })) as FileInfo[];
}

/**
 * The same plain client for any endpoint that takes and answers `items`
 * (`files/downloadlink`): posts `request`, resolves to the answer's `items`.
 */
export function createItemsClient(connection: CdfConnection, retry: RetryPolicy, path: string): (request: object) => Promise<unknown[]> {
  const url = `${connection.baseUrl}/api/v1/projects/${encodeURIComponent(connection.project)}/${path}`;
  return async (request) => {
    const body = JSON.stringify(request);
    for (let attempt = 0; ; attempt++) {
      const token = await connection.getToken();
      let response: Response;
      try {
        response = await connection.fetch(url, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'x-cdp-app': connection.appId },
          body,
        });
      } catch (error) {
        throw new Error(`POST ${url} got no answer${attempt === 0 ? '' : ` after ${attempt + 1} attempts`}: ${describeNetworkError(error)}`);
      }
      if (response.status === 429 && attempt < retry.limit) {
        await response.arrayBuffer();
        await sleep(Math.random() * retry.capMs(attempt + 1));
        continue;
      }
      if (!response.ok) {
        const text = await response.text();
        throw new Error(`POST ${url} answered ${response.status}${attempt === 0 ? '' : ` after ${attempt + 1} attempts`}: ${text.slice(0, 300)}`);
      }
      const answer = (await response.json()) as { items?: unknown };
      if (!Array.isArray(answer.items)) throw new Error(`POST ${url} answered ${response.status} without an items array.`);
      return answer.items;
    }
  };
}

/** `fetch failed` says little: undici puts what happened (`other side closed`, `connect ECONNREFUSED …`) in the cause. */
function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: { message?: unknown; code?: unknown } } | undefined)?.cause;
  const detail = typeof cause?.message === 'string' && cause.message !== '' ? cause.message : typeof cause?.code === 'string' ? cause.code : undefined;
  return `${error instanceof Error ? error.message : String(error)}${detail === undefined ? '' : ` (${detail})`}`;
}

/** The item that `ref` names, matched by identity (unknown ids are left out, so position means nothing). */
export function findFile(items: readonly FileInfo[], ref: FileRef): FileInfo | null {
  return items.find((item) => (ref.id !== undefined ? item.id === ref.id : item.externalId === ref.externalId)) ?? null;
}
