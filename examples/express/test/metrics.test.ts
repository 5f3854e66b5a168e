import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { registerCdfLoaderMetrics } from '@cdf-loader/prometheus';
import { createFilesLoader } from 'cdf-loader';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../src/index.js';
import { post, request, useMockCdf } from './support.js';

const cdf = useMockCdf({ counts: { files: 20 } });

let url = '';
let stop = async (): Promise<void> => {};
beforeEach(async () => {
  const fake = cdf();
  const metrics = new Registry();
  const unregister = registerCdfLoaderMetrics(metrics);
  const files = createFilesLoader({ baseUrl: fake.url, project: fake.project, getToken: () => fake.token });
  const server = createApp({ files, metrics }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  stop = async () => {
    unregister();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
});
afterEach(() => stop());

/** The sample lines of the metrics whose names start with `prefix`, as scraped. */
function samples(scrape: string, prefix: string): string[] {
  return scrape.split('\n').filter((line) => line.startsWith(prefix));
}

describe('GET /metrics', () => {
  it('counts what the requests before it cost CDF', async () => {
    const [a, b] = cdf().data.files;
    expect((await request(`${url}/files/${a!.id}`)).status).toBe(200);
    expect((await request(`${url}/files/${a!.id}`)).status).toBe(200);
    expect((await request(`${url}/files/12`)).status).toBe(404);
    expect((await post(`${url}/files/lookup`, { items: [{ id: b!.id }, { id: b!.id }, { id: 'abc' }] })).status).toBe(200);

    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const scrape = await response.text();
    expect(samples(scrape, 'cdf_loader_loads_total')).toEqual([
      'cdf_loader_loads_total{resource="files",outcome="queued"} 3',
      'cdf_loader_loads_total{resource="files",outcome="cacheHit"} 1',
      'cdf_loader_loads_total{resource="files",outcome="inflightJoin"} 1',
    ]);
    expect(samples(scrape, 'cdf_loader_not_found_total')).toEqual(['cdf_loader_not_found_total{resource="files"} 1']);
    expect(samples(scrape, 'cdf_loader_request_duration_seconds_count')).toEqual([
      'cdf_loader_request_duration_seconds_count{resource="files",status="200"} 3',
    ]);
    expect(samples(scrape, 'cdf_loader_request_identifiers_sum')).toEqual(['cdf_loader_request_identifiers_sum{resource="files"} 3']);
    expect(samples(scrape, 'cdf_loader_throttled_total')).toEqual([]);
    expect(cdf().counters.requests).toBe(3);
  });
});
