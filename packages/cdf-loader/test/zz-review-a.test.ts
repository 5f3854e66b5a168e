import { describe, expect, test } from 'vitest';
import { createFilesLoader } from '../src/index.js';

type Item = { id: number; externalId?: string; name: string };
function fakeFetch(db: Map<number, Item>, opts: { gate?: () => Promise<void>; log?: unknown[][] } = {}) {
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const req = input instanceof Request ? input : new Request(input as string, init);
    const body = JSON.parse(await req.text()) as { items: { id?: number; externalId?: string }[] };
    opts.log?.push(body.items);
    if (opts.gate) await opts.gate();
    const items = [...db.values()].filter((it) => body.items.some((k) => k.id === it.id || (k.externalId !== undefined && k.externalId === it.externalId)));
    const snapshot = items.map((i) => ({ ...i }));
    return new Response(JSON.stringify({ items: snapshot }), { status: 200, headers: { 'content-type': 'application/json' } });
  };
  return fetch;
}
const base = { baseUrl: 'http://127.0.0.1:1', project: 'p' };

describe('review', () => {
  test('A: synchronous throw from getToken breaks the loader forever', async () => {
    const db = new Map([[1, { id: 1, name: 'one' }]]);
    let calls = 0;
    const loader = createFilesLoader({
      ...base,
      fetch: fakeFetch(db),
      retry: { limit: 0 },
      getToken: () => {
        calls++;
        if (calls === 1) throw new Error('no session yet');
        return 'tok';
      },
    });
    await expect(loader.load({ id: 1 })).rejects.toMatchObject({ name: 'CdfApiError' });
    const second = await loader.load({ id: 1 }).then((v) => v, (e: Error) => e);
    console.log('A second load:', second instanceof Error ? second.message : second, 'getToken calls', calls);
    expect(second).toEqual({ id: 1, name: 'one' });
  });

  test('B: after clearAll, a new load by alias is answered by a pre-clear request', async () => {
    const db = new Map([[1, { id: 1, externalId: 'x', name: 'old' }]]);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let first = true;
    const log: unknown[][] = [];
    const loader = createFilesLoader({
      ...base, getToken: () => 't', log: undefined,
      fetch: fakeFetch(db, { log, gate: () => (first ? ((first = false), gate) : Promise.resolve()) }),
    } as never);
    const p1 = loader.load({ id: 1 });
    await new Promise((r) => setTimeout(r, 20)); // request 1 in flight, item read happens after gate... make snapshot pre-clear:
    // simulate: server already computed the answer before the update — our fake computes after gate, so emulate with update later
    loader.clearAll();
    const p2 = loader.load({ externalId: 'x' }); // new load after the clear
    release();
    db.set(1, { id: 1, externalId: 'x', name: 'new' });
    await p1;
    console.log('B requests', JSON.stringify(log));
    await p2;
    expect(log.length).toBe(2); // a new load after clearAll must ask again
  });

  test('C: a reused identifier object mutated after load sends duplicates / wrong keys', async () => {
    const db = new Map([[1, { id: 1, name: 'one' }], [2, { id: 2, name: 'two' }], [3, { id: 3, name: 'three' }]]);
    const log: unknown[][] = [];
    const loader = createFilesLoader({ ...base, getToken: () => 't', fetch: fakeFetch(db, { log }) });
    const ref = { id: 0 };
    const ps = [1, 2, 3].map((id) => { ref.id = id; return loader.load(ref); });
    const res = await Promise.all(ps);
    console.log('C sent', JSON.stringify(log), 'results', JSON.stringify(res));
    expect(res.map((r) => r?.id)).toEqual([1, 2, 3]);
  });

  test('D: getToken hanging + every caller aborts: slot leaked', async () => {
    const db = new Map([[1, { id: 1, name: 'one' }], [2, { id: 2, name: 'two' }]]);
    let n = 0;
    const loader = createFilesLoader({
      ...base, maxConcurrency: 1, fetch: fakeFetch(db),
      getToken: () => (n++ === 0 ? new Promise<string>(() => {}) : 't'),
    });
    const c = new AbortController();
    const p = loader.load({ id: 1 }, { signal: c.signal });
    await new Promise((r) => setTimeout(r, 20));
    c.abort();
    await expect(p).rejects.toBeDefined();
    const r = await Promise.race([loader.load({ id: 2 }), new Promise((res) => setTimeout(() => res('HUNG'), 500))]);
    console.log('D later load:', JSON.stringify(r));
    expect(r).not.toBe('HUNG');
  });

  test('F: prime during an in-flight request is overwritten by the older answer', async () => {
    const db = new Map([[1, { id: 1, name: 'old' }]]);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const log: unknown[][] = [];
    const loader = createFilesLoader({ ...base, getToken: () => 't', fetch: fakeFetch(db, { log, gate: () => gate }) });
    const p1 = loader.load({ id: 1 });
    await new Promise((r) => setTimeout(r, 20));
    loader.prime({ id: 1, name: 'new' } as never);
    release();
    await p1;
    const cached = await loader.load({ id: 1 });
    console.log('F cached after prime:', JSON.stringify(cached));
    expect(cached?.name).toBe('new');
  });
});
