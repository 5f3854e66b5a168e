import type { MockCdfSettings } from './options.js';

type RateLimit = NonNullable<MockCdfSettings['rateLimit']>;

/** CDF's throttling: a concurrency limit, and a request rate over a sliding window that throttled requests consume too. */
export class Throttle {
  #arrivals: number[] = [];

  /**
   * Records a request arriving at `at` (ms) while `inFlight` requests are served; resolves to the
   * message of its 429, or undefined when it may be served.
   */
  admit(at: number, inFlight: number, { concurrencyLimit = Infinity, rateLimit }: MockCdfSettings): string | undefined {
    // Counted first, whatever the answer: a throttled request consumes rate budget too.
    const overRate = rateLimit !== undefined && this.#overRate(at, rateLimit);
    if (inFlight >= concurrencyLimit) return `Project exceeded maximum number='${concurrencyLimit}' of concurrent requests.`;
    if (overRate) return `Project exceeded maximum number='${rateLimit.requests}' of requests per ${rateLimit.intervalMs} ms.`;
    return undefined;
  }

  clear(): void {
    this.#arrivals = [];
  }

  #overRate(at: number, limit: RateLimit): boolean {
    const since = at - limit.intervalMs;
    let expired = 0;
    while (expired < this.#arrivals.length && (this.#arrivals[expired] as number) <= since) expired++;
    if (expired > 0) this.#arrivals.splice(0, expired);
    this.#arrivals.push(at);
    return this.#arrivals.length > limit.requests;
  }
}
