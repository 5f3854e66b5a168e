import { startMockCdf } from '@cdf-loader/mock-cdf';
import { createFileLinksLoader } from 'cdf-loader';
import type { MockTarget } from './config.js';
import { count, duration, renderTable } from './report.js';
import { createItemsClient, type RetryPolicy } from './strategies/byids-client.js';
import type { CdfConnection } from './strategies/strategy.js';
import { type WireCounts, WireMeter } from './wire-meter.js';

/** What one way of resolving a page's download URLs cost. */
export interface LinksRow {
  name: string;
  /** HTTP requests to `files/downloadlink`, retries included. */
  requests: number;
  /** 429 answers met. */
  throttled: number;
  /** Download URLs the page got. */
  links: number;
  /** Why the page got none, when the request was refused. */
  refused: string | undefined;
  wallMs: number;
}

/** `--links N`: what a page of N download URLs cost each way. */
export interface LinksReport {
  pageSize: number;
  target: MockTarget;
  rows: LinksRow[];
}

const APP_ID = 'cdf-loader-demo';
const LINKS = 'files/downloadlink';
/** As the naive strategy: enough patience that every resolver gets through the 429s it makes. */
const PER_RESOLVER_RETRY: RetryPolicy = { limit: 100, capMs: (retry) => Math.min(500, 25 * 2 ** retry) };

/**
 * A page of `pageSize` files whose `File.downloadUrl` resolvers each want a link — GraphQL calls
 * the resolvers of a list's entries together — against the fake CDF, three ways: a request per
 * resolver, one request with every id (what `@cognite/sdk`'s `getDownloadUrls` sends), and
 * cdf-loader's `fileLinks`, then the same page again within the links' life.
 */
export async function runLinksDemo(pageSize: number, target: MockTarget): Promise<LinksReport> {
  const fake = await startMockCdf({ counts: { files: Math.max(target.files, pageSize) }, latency: target.latency, concurrencyLimit: target.concurrencyLimit });
  try {
    const page = fake.data.files.slice(0, pageSize).map((file) => ({ id: file.id }));
    const meter = new WireMeter();
    const connection: CdfConnection = { baseUrl: fake.url, project: fake.project, getToken: () => fake.token, appId: APP_ID, fetch: meter.fetch };
    const post = createItemsClient(connection, PER_RESOLVER_RETRY, LINKS);
    const loader = createFileLinksLoader({ ...connection, fetch: meter.fetch });
    const rows = [
      await measure('a request per File.downloadUrl resolver', meter, async () => (await Promise.all(page.map((id) => post({ items: [id] })))).flat().length),
      await measure('one request with every id (@cognite/sdk getDownloadUrls)', meter, async () => (await post({ items: page })).length),
      await measure('cdf-loader fileLinks', meter, async () => countLinks(await Promise.all(page.map((id) => loader.load(id))))),
      await measure("cdf-loader fileLinks, the page again in the links' life", meter, async () => countLinks(await Promise.all(page.map((id) => loader.load(id))))),
    ];
    await loader.close();
    return { pageSize, target, rows };
  } finally {
    await fake.close();
  }
}

/** The table and the notes of `--links`. */
export function renderLinksReport({ pageSize, target, rows }: LinksReport): string {
  const header = ['', 'HTTP requests', '429s met', 'download URLs', 'wall time'];
  const table = renderTable(
    header,
    rows.map((row) => [row.name, count(row.requests), count(row.throttled), row.refused === undefined ? count(row.links) : 'refused', duration(row.wallMs)]),
  );
  const refusals = rows.filter((row) => row.refused !== undefined).map((row) => `${row.name}: ${row.refused}`);
  return [
    `Download URLs for a page of ${count(pageSize)} files: POST files/downloadlink, at most 100 identifiers a request, links valid 30 s`,
    `Target: fake CDF (@cdf-loader/mock-cdf, in this process): ${target.latency.fixedMs} ms + 0–${target.latency.jitterMs} ms latency, 429 beyond ${target.concurrencyLimit} concurrent requests`,
    '',
    table,
    '',
    ...refusals,
    'cdf-loader sends ceil(page / 100) requests under its concurrency limit, and serves a link from its cache until 5 s before it expires.',
    '',
  ].join('\n');
}

async function measure(name: string, meter: WireMeter, run: () => Promise<number>): Promise<LinksRow> {
  const before: WireCounts = { ...meter.counts };
  const startedAt = performance.now();
  let links = 0;
  let refused: string | undefined;
  try {
    links = await run();
  } catch (error) {
    refused = (error instanceof Error ? error.message : String(error)).replace(/^POST \S+ /, '');
  }
  return {
    name,
    requests: meter.counts.requests - before.requests,
    throttled: meter.counts.throttled - before.throttled,
    links,
    refused,
    wallMs: performance.now() - startedAt,
  };
}

function countLinks(links: readonly ({ downloadUrl: string } | null)[]): number {
  return links.filter((link) => link !== null).length;
}
