import { getEventListeners } from 'node:events';
import { describe, expect, test } from 'vitest';
import { createFilesLoader } from '../src/index.js';
import { byIdsRequests, optionsFor, until, useMockCdf } from './support.js';

const cdf = useMockCdf({ counts: { files: 100 } });

describe('cancellation', () => {
  test('one of two waiters aborts: it rejects at once, the other still gets its file', async () => {
    cdf().addFault({ request: 1, delayMs: 200 });
    const loader = createFilesLoader(optionsFor(cdf()));
    const file = cdf().data.files[0]!;
    const controller = new AbortController();
    const aborting = loader.load({ id: file.id }, { signal: controller.signal });
    const staying = loader.load({ id: file.id });
    await until(() => byIdsRequests(cdf()).length === 1, 'the request');

    const reason = new Error('client went away');
    controller.abort(reason);
    await expect(aborting).rejects.toBe(reason);
    expect(await staying).toEqual(file);
    expect(byIdsRequests(cdf())[0]).toMatchObject({ status: 200, clientClosed: false });
  });

  test('when every waiter aborts, the request is aborted, and a later load fetches the key again', async () => {
    cdf().addFault({ request: 1, delayMs: 30_000 });
    const loader = createFilesLoader(optionsFor(cdf()));
    const file = cdf().data.files[1]!;
    const controllers = [new AbortController(), new AbortController()];
    const loads = controllers.map((controller) => loader.load({ id: file.id }, { signal: controller.signal }));
    await until(() => byIdsRequests(cdf()).length === 1, 'the request');

    controllers.forEach((controller) => controller.abort());
    for (const load of loads) await expect(load).rejects.toMatchObject({ name: 'AbortError' });
    await until(() => byIdsRequests(cdf())[0]!.clientClosed, 'the fake to see the connection closed');

    expect(await loader.load({ id: file.id })).toEqual(file);
    expect(byIdsRequests(cdf())).toHaveLength(2);
    expect(loader.stats()).toMatchObject({ requestFailures: 0 });
  });

  test('a key aborted before its request is sent leaves the request', async () => {
    const loader = createFilesLoader(optionsFor(cdf()));
    const [kept, dropped] = cdf().data.files;
    const controller = new AbortController();
    const keptLoad = loader.load({ id: kept!.id });
    const droppedLoad = loader.load({ id: dropped!.id }, { signal: controller.signal });
    controller.abort();

    await expect(droppedLoad).rejects.toMatchObject({ name: 'AbortError' });
    expect(await keptLoad).toEqual(kept);
    expect(byIdsRequests(cdf()).map((entry) => entry.items)).toEqual([[{ id: kept!.id }]]);
  });

  test('a request whose only key was aborted before sending is not sent at all', async () => {
    const loader = createFilesLoader(optionsFor(cdf()));
    const controller = new AbortController();
    const load = loader.load({ id: cdf().data.files[2]!.id }, { signal: controller.signal });
    controller.abort();
    await expect(load).rejects.toMatchObject({ name: 'AbortError' });
    await loader.load({ id: cdf().data.files[3]!.id }); // a later request, to be sure the first never went
    expect(byIdsRequests(cdf())).toHaveLength(1);
  });

  test('an already-aborted signal rejects with its reason and sends nothing', async () => {
    const loader = createFilesLoader(optionsFor(cdf()));
    const reason = new Error('too late');
    await expect(loader.load({ id: 1 }, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(byIdsRequests(cdf())).toHaveLength(0);
  });

  test('an aborted key does not poison the cache', async () => {
    cdf().addFault({ request: 1, delayMs: 30_000 });
    const loader = createFilesLoader(optionsFor(cdf()));
    const file = cdf().data.files[4]!;
    const controller = new AbortController();
    const load = loader.load({ id: file.id }, { signal: controller.signal });
    await until(() => byIdsRequests(cdf()).length === 1, 'the request');
    controller.abort();
    await expect(load).rejects.toMatchObject({ name: 'AbortError' });

    expect(await loader.load({ id: file.id })).toEqual(file);
    expect(await loader.load({ id: file.id })).toEqual(file);
    expect(byIdsRequests(cdf())).toHaveLength(2);
  });

  test('`forRequest({ signal })` aborts every load of the request scope', async () => {
    cdf().addFault({ request: 1, delayMs: 30_000 });
    const loader = createFilesLoader(optionsFor(cdf()));
    const controller = new AbortController();
    const scope = loader.forRequest({ signal: controller.signal });
    const loads = cdf().data.files.slice(0, 3).map((file) => scope.load({ id: file.id }));
    await until(() => byIdsRequests(cdf()).length === 1, 'the request');

    controller.abort();
    for (const load of loads) await expect(load).rejects.toMatchObject({ name: 'AbortError' });
    await until(() => byIdsRequests(cdf())[0]!.clientClosed, 'the fake to see the connection closed');
  });

  test('a request scope adds one abort listener per batch, not one per key', async () => {
    const loader = createFilesLoader(optionsFor(cdf()));
    const controller = new AbortController();
    const scope = loader.forRequest({ signal: controller.signal });
    const files = cdf().data.files.slice(0, 40);
    const loads = files.map((file) => scope.load({ id: file.id }));
    await until(() => getEventListeners(controller.signal, 'abort').length > 0, 'the batch to start');
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    expect(await Promise.all(loads)).toEqual(files);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  test('one signal shared by any number of loads gets one listener, removed when they settle, and no leak warning', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error): void => void warnings.push(warning);
    process.on('warning', onWarning);
    try {
      cdf().addFault({ request: 1, delayMs: 50 });
      const loader = createFilesLoader(optionsFor(cdf()));
      const controller = new AbortController();
      const files = cdf().data.files.slice(0, 20);
      const loads = files.map((file) => loader.load({ id: file.id }, { signal: controller.signal }));
      const many = loader.loadMany(files.slice(0, 5).map((file) => ({ id: file.id })), { signal: controller.signal });
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);

      expect(await Promise.all(loads)).toEqual(files);
      expect(await many).toEqual(files.slice(0, 5));
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.filter((warning) => warning.name === 'MaxListenersExceededWarning')).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  test('aborting a shared signal rejects every load behind it, and a later load with a fresh signal works', async () => {
    cdf().addFault({ request: 1, delayMs: 30_000 });
    const loader = createFilesLoader(optionsFor(cdf()));
    const controller = new AbortController();
    const files = cdf().data.files.slice(20, 50);
    const loads = files.map((file) => loader.load({ id: file.id }, { signal: controller.signal }));
    await until(() => byIdsRequests(cdf()).length === 1, 'the request');
    const reason = new Error('request gone');
    controller.abort(reason);
    for (const load of loads) await expect(load).rejects.toBe(reason);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    expect(await loader.load({ id: files[0]!.id }, { signal: new AbortController().signal })).toEqual(files[0]);
  });
});
