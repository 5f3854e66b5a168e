/** What went over the wire to CDF's byids endpoint, counted on the client side. */
export interface WireCounts {
  /** HTTP requests sent, retries included. */
  requests: number;
  /** Identifiers in the `items` of those requests, retries included. */
  itemsSent: number;
  /** Identifiers in requests CDF answered with anything but 429: what was really asked. */
  itemsAnswered: number;
  /** 429 answers met. */
  throttled: number;
}

/** A `fetch` that counts byids requests, their items and their answers, for every strategy alike. */
export class WireMeter {
  readonly counts: WireCounts = { requests: 0, itemsSent: 0, itemsAnswered: 0, throttled: 0 };

  /** The counting `fetch`, to hand to cdf-loader or to a hand-written client. */
  readonly fetch: typeof globalThis.fetch = async (input, init) => {
    const items = await countItems(input, init);
    this.counts.requests++;
    this.counts.itemsSent += items;
    const response = await globalThis.fetch(input, init);
    if (response.status === 429) this.counts.throttled++;
    else this.counts.itemsAnswered += items;
    return response;
  };
}

/** The length of the request body's `items`: from a string body, or from a `Request` (as ky sends). */
async function countItems(input: string | URL | Request, init: RequestInit | undefined): Promise<number> {
  const body = typeof init?.body === 'string' ? init.body : input instanceof Request ? await input.clone().text() : '';
  try {
    const parsed = JSON.parse(body) as { items?: unknown };
    return Array.isArray(parsed.items) ? parsed.items.length : 0;
  } catch {
    return 0;
  }
}
