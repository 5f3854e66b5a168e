/**
 * One chunk's way from its dispatch to its end: the look in the shared tier beside its wait for
 * slots, the request the sender makes of it (what to ask, where answers and refusals go, the
 * claims once it holds its slots), and its failure for good. It owns none of that state: the
 * engine's parts do; it only ties them together for one chunk at a time.
 */
import type { ResultCache } from '../cache/result-cache.js';
import { CdfApiError } from '../errors/cdf-api-error.js';
import type { CanonicalKey, Identifier } from '../identifiers/identifiers.js';
import type { SharedTier } from '../shared/shared-tier.js';
import type { Telemetry } from '../telemetry/telemetry.js';
import type { ChunkQueue } from './chunk-queue.js';
import { type Chunk, hasUnsettled, unsettledOf } from './chunk.js';
import { withdrawDuplicated } from './duplicated.js';
import type { FanOut } from './fan-out.js';
import type { Invalidations } from './invalidations.js';
import type { OutgoingRequest, SendRequest } from './outgoing-request.js';
import type { PendingKeys } from './pending-keys.js';
import type { ReplicaClaims } from './replica-claims.js';
import type { StaleIfError } from './stale-if-error.js';

/** The engine's parts a chunk's trip uses. */
export interface ChunkTripParts<TItem extends object> {
  send: SendRequest;
  queue: ChunkQueue<TItem>;
  keys: PendingKeys<TItem>;
  fanOut: FanOut<TItem>;
  invalidations: Invalidations;
  cache: ResultCache<TItem> | undefined;
  shared: SharedTier<TItem> | undefined;
  claims: ReplicaClaims<TItem> | undefined;
  stale: StaleIfError<TItem> | undefined;
  telemetry: Telemetry;
  /** An identifier's canonical key, as the engine checks it. */
  keyOf: (identifier: unknown) => CanonicalKey;
  /** CDF refuses a request for its unknown identifiers (a 400 naming them), as `Endpoint.unknownIdsFail` says. */
  unknownIdsFail: boolean;
}

export class ChunkTrip<TItem extends object> {
  readonly #parts: ChunkTripParts<TItem>;

  constructor(parts: ChunkTripParts<TItem>) {
    this.#parts = parts;
  }

  /** Looks the chunk up in the shared tier, then hands what is left to the sender; settles every key it leaves unanswered. */
  async run(chunk: Chunk<TItem>): Promise<void> {
    const { fanOut, keyOf, shared, claims, queue, keys } = this.#parts;
    const request: OutgoingRequest = {
      signal: chunk.abort.signal,
      lane: () => chunk.lane,
      identifiers: () => this.#identifiersToSend(chunk),
      wanted: () => hasUnsettled(chunk),
      answer: (items, sentAt) => fanOut.answerChunk(chunk, items, sentAt),
      withdraw: (duplicated, error) => withdrawDuplicated(chunk, duplicated, keyOf, error),
    };
    if (this.#parts.unknownIdsFail) request.notFound = (missing) => fanOut.answerMissing(chunk, missing, keyOf);
    // The first look runs beside the wait for slots, not before it. Claims wait for the slots: taken
    // during that wait, they held other replicas behind this one's queue (B6, 8 replicas: slower).
    const looked = shared === undefined ? undefined : fanOut.answerFromShared(unsettledOf(chunk), shared, chunk);
    if (claims !== undefined) {
      request.shareWithReplicas = async () => {
        await looked;
        // It holds its slots now: see `ReplicaClaims.share`.
        queue.close(chunk);
        return claims.share(chunk);
      };
    }
    let answered = false;
    try {
      if (claims === undefined) await looked;
      const error = await this.#parts.send(request);
      answered = error === undefined;
      if (!answered) await this.#fail(chunk, error);
    } catch (reason) {
      // An abort means every caller gave up, or the loader closed: not a failure of the request.
      if (chunk.abort.signal.aborted) keys.rejectAll(chunk, chunk.abort.signal.reason);
      else await this.#fail(chunk, reason);
    } finally {
      claims?.endClaims(chunk, answered);
      queue.inFlight.delete(chunk);
      this.#pruneInvalidations();
    }
  }

  /** Called by the sender as each attempt starts, in its slot: what to ask CDF for now. */
  #identifiersToSend(chunk: Chunk<TItem>): Identifier[] {
    this.#parts.queue.close(chunk);
    chunk.sentAt = this.#parts.invalidations.start();
    // A retry leaves out keys another request answered meanwhile.
    const identifiers: Identifier[] = [];
    const withdrawn = chunk.withdrawn?.keys;
    for (const load of chunk.loads.values()) if (!load.settled && withdrawn?.has(load.key) !== true) identifiers.push(load.identifier);
    return identifiers;
  }

  /**
   * The request failed for good: its keys reject, but for those stale-if-error answers. A 401 or
   * 403 drops what the cache kept of its keys: a principal CDF refuses is served nothing stale.
   */
  async #fail(chunk: Chunk<TItem>, error: unknown): Promise<void> {
    const { cache, telemetry, stale, keys } = this.#parts;
    if (error instanceof CdfApiError && (error.status === 401 || error.status === 403)) {
      for (const key of chunk.loads.keys()) cache?.delete(key);
    }
    telemetry.requestFailed();
    await stale?.serve(unsettledOf(chunk), error);
    keys.rejectAll(chunk, error);
  }

  /** Drops invalidation stamps that no request in flight, nor wait on another replica, is older than. */
  #pruneInvalidations(): void {
    const { invalidations, queue, claims } = this.#parts;
    invalidations.prune(Math.min(queue.oldestSentAt(), claims?.oldestWait ?? Number.POSITIVE_INFINITY));
  }
}
