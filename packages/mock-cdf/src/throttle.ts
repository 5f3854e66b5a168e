/** Request-rate throttling over a sliding window; throttled requests consume budget too, as in CDF. */
export class RateWindow {
  #arrivals: number[] = [];

  /** Records an arrival at `at` (ms) and says whether it exceeds `requests` per `intervalMs`. */
  hit(at: number, limit: { requests: number; intervalMs: number }): boolean {
    const since = at - limit.intervalMs;
    let expired = 0;
    while (expired < this.#arrivals.length && (this.#arrivals[expired] as number) <= since) expired++;
    if (expired > 0) this.#arrivals.splice(0, expired);
    this.#arrivals.push(at);
    return this.#arrivals.length > limit.requests;
  }

  clear(): void {
    this.#arrivals = [];
  }
}

export function concurrencyMessage(limit: number): string {
  return `Project exceeded maximum number='${limit}' of concurrent requests.`;
}

export function rateMessage(limit: { requests: number; intervalMs: number }): string {
  return `Project exceeded maximum number='${limit.requests}' of requests per ${limit.intervalMs} ms.`;
}
