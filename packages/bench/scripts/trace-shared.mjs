/* global console, performance, setTimeout */
// Where a shared operation's time goes: 4 replicas (loaders on clients of their own) in one
// process over one private Redis and the fake CDF (5 ms, 8 at once), each serving operations of
// 100 ids over a 5,000-file hot set. Times every Redis call on the path of a chunk and every request.
import { subscribe } from 'node:diagnostics_channel';
import { createClient } from 'redis';
import { createFilesLoader } from 'cdf-loader';
import { redisCache, redisConcurrency } from '@cdf-loader/redis';
import { PrivateRedisServer } from '@cdf-loader/redis/testing';
import { startMockCdf } from '@cdf-loader/mock-cdf';

const REPLICAS = 4;
const OPERATIONS = 60;
const cdf = await startMockCdf({ counts: { files: 5_000 }, latency: { fixedMs: 5 }, concurrencyLimit: 8 });
const server = await PrivateRedisServer.start();
const spent = {};
const count = {};
const add = (name, ms) => { spent[name] = (spent[name] ?? 0) + ms; count[name] = (count[name] ?? 0) + 1; };
const timed = (name, call) => async (...args) => { const started = performance.now(); try { return await call(...args); } finally { add(name, performance.now() - started); } };
subscribe('cdf-loader:request', (event) => add('CDF request', event.durationMs));

const replicas = [];
for (let index = 0; index < REPLICAS; index++) {
  const client = await createClient({ url: server.url }).connect();
  const shared = redisCache({ client, keyPrefix: 'trace:' });
  const budget = redisConcurrency({ client, key: 'trace:budget', limit: 8 });
  shared.getMany = timed('look before the slot (getMany)', shared.getMany.bind(shared));
  shared.lookUpAndClaim = timed('last look + claims (lookUpAndClaim), in the slot', shared.lookUpAndClaim.bind(shared));
  shared.setMany = timed('write back (setMany), after the answer', shared.setMany.bind(shared));
  const acquire = budget.acquire.bind(budget);
  budget.acquire = timed('wait for a budget slot (acquire)', acquire);
  await shared.listening();
  const files = createFilesLoader({ baseUrl: cdf.url, project: cdf.project, getToken: () => cdf.token, maxConcurrency: 4, cache: { shared }, sharedConcurrency: budget });
  replicas.push({ files, close: async () => { await files.close(); await shared.close(); await budget.close(); client.destroy(); } });
}
const ids = cdf.data.files.map((file) => file.id);
let seed = 7;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const latencies = [];
const started = performance.now();
await Promise.all(replicas.map(async ({ files }) => {
  for (let operation = 0; operation < OPERATIONS; operation++) {
    const wanted = Array.from({ length: 100 }, () => ({ id: ids[Math.floor(random() * ids.length)] }));
    const at = performance.now();
    await files.loadMany(wanted);
    latencies.push(performance.now() - at);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}));
const wall = performance.now() - started;
latencies.sort((a, b) => a - b);
console.log(`| where | calls | total ms | mean ms per call |`);
console.log(`| --- | ---: | ---: | ---: |`);
for (const name of Object.keys(spent)) console.log(`| ${name} | ${count[name]} | ${Math.round(spent[name])} | ${(spent[name] / count[name]).toFixed(1)} |`);
console.log(`\n${REPLICAS * OPERATIONS} operations, wall ${Math.round(wall)} ms, operation p50 ${Math.round(latencies[latencies.length >> 1])} ms, p95 ${Math.round(latencies[Math.floor(latencies.length * 0.95)])} ms; shared hits ${replicas.reduce((sum, { files }) => sum + files.stats().sharedHits, 0)}, requests ${cdf.counters.requests ?? '?'}`);
await Promise.all(replicas.map(({ close }) => close()));
await server.kill();
await cdf.close();
