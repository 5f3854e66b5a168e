import { describe, expect, test, vi } from 'vitest';
import { Engine } from '../src/engine/engine.js';
import { createFilesLoader, type Identifier, InvalidIdentifierError, LoaderClosedError, NotFoundError } from '../src/index.js';
import { byIdsRequests, expectWellFormedRequests, optionsFor, until, useMockCdf } from './support.js';

// One file by two identifiers in a request is answered once per identifier here: these tests are about
// coalescing and matching answers; the `duplicated` answer CDF gives instead has duplicated.test.ts.
const cdf = useMockCdf({ counts: { files: 3_000 }, aliasDuplicates: 'answered' });

/** Ids the fake has no file for: its generated ids are far above these. */
const unknownId = (n: number): Identifier => ({ id: n + 1 });

/** An async generator over `identifiers` that counts how far it was pulled and whether it was closed early. */
function recordingSource(identifiers: readonly Identifier[]) {
  const state = { pulled: 0, closed: false, finished: false };
  async function* source(): AsyncGenerator<Identifier> {
    try {
      for (const identifier of identifiers) {
        state.pulled++;
        yield identifier;
      }
      state.finished = true;
    } finally {
      if (!state.finished) state.closed = true;
    }
  }
  return { source: source(), state };
}

async function collect<T>(results: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const result of results) all.push(result);
  return all;
}

describe('loadAll', () => {
  test('yields one result per identifier in input order: duplicates, unknown ids, other kinds and invalid identifiers included', async () => {
    const files = cdf().data.files;
    const withExternalId = files.find((file) => file.externalId !== undefined)!;
    const invalid = { id: 0 } as Identifier;
    const input: Identifier[] = [];
    for (let index = 0; index < 2_500; index++) {
      input.push(index % 5 === 4 ? unknownId(index) : { id: files[index]!.id });
      // Duplicates, near and far: the same file asked again later must still be answered in place.
      if (index % 100 === 0) input.push({ id: files[index]!.id });
    }
    input.splice(7, 0, invalid, { externalId: withExternalId.externalId! });
    const loader = createFilesLoader(optionsFor(cdf()));

    const results = await collect(loader.loadAll(input));

    expect(results).toHaveLength(input.length);
    results.forEach((result, index) => expect(result.identifier).toBe(input[index]));
    expect(results[7]!.error).toBeInstanceOf(InvalidIdentifierError);
    expect(results[7]!.error!.message).toBe('Invalid identifier {"id":0}: `id` must be an integer from 1 to 9007199254740991, got 0.');
    expect(results[8]).toEqual({ identifier: { externalId: withExternalId.externalId }, item: withExternalId });
    const byId = new Map(files.map((file) => [file.id, file]));
    for (const [index, result] of results.entries()) {
      if (index === 7 || index === 8) continue;
      expect(result).toEqual({ identifier: input[index], item: byId.get((input[index] as { id: number }).id) ?? null });
    }
    // 2,500 distinct ids (the duplicates and the externalId's file ride along): three requests.
    expect(byIdsRequests(cdf()).map((entry) => entry.items.length)).toEqual([1_000, 1_000, 501]);
    expectWellFormedRequests(cdf());
  });

  test("with missing: 'error', an unknown id yields a NotFoundError in its place and the run goes on", async () => {
    const [first, second] = cdf().data.files;
    const loader = createFilesLoader(optionsFor(cdf(), { missing: 'error' }));

    const results = await collect(loader.loadAll([{ id: first!.id }, unknownId(1), { id: second!.id }]));

    expect(results.map((result) => result.item ?? result.error)).toEqual([first, expect.any(NotFoundError), second]);
    expect(results[1]!.error!.message).toBe('No file with id 2.');
  });

  test('reads its input lazily: never more than 2 × concurrency × maxBatchSize identifiers ahead of what it yielded', async () => {
    const input = cdf().data.files.slice(0, 500).map((file) => ({ id: file.id }));
    const { source, state } = recordingSource(input);
    const loader = createFilesLoader(optionsFor(cdf(), { maxBatchSize: 10, maxConcurrency: 2 }));
    const readAhead = 2 * 2 * 10;

    const results = loader.loadAll(source);
    expect(state.pulled).toBe(0);
    let yielded = 0;
    let mostAhead = 0;
    for await (const result of results) {
      expect(result.identifier).toBe(input[yielded]);
      yielded++;
      mostAhead = Math.max(mostAhead, state.pulled - yielded);
    }

    expect(yielded).toBe(500);
    expect(mostAhead).toBe(readAhead);
    expect(state).toEqual({ pulled: 500, closed: false, finished: true });
  });

  test('a source that gives each identifier only after the answer to the one before still gets every answer, each in its own request', async () => {
    const files = cdf().data.files.slice(0, 5);
    const answered: number[] = [];
    async function* oneAtATime(): AsyncGenerator<Identifier> {
      for (const [index, file] of files.entries()) {
        // Waits on the consumer: a run that held identifiers back to fill a request would never end.
        while (answered.length < index) await new Promise((resolve) => setImmediate(resolve));
        yield { id: file.id };
      }
    }
    const loader = createFilesLoader(optionsFor(cdf()));

    for await (const { item } of loader.loadAll(oneAtATime())) answered.push(item!.id);

    expect(answered).toEqual(files.map((file) => file.id));
    expect(byIdsRequests(cdf()).map((entry) => entry.items)).toEqual(files.map((file) => [{ id: file.id }]));
  });

  test('keeps the concurrency full with requests of 1000 items over a long run', async () => {
    cdf().configure({ latency: { fixedMs: 20 } });
    const ids = Array.from({ length: 20_500 }, (_, index) => unknownId(index));
    const { source } = recordingSource(ids);
    const loader = createFilesLoader(optionsFor(cdf(), { maxConcurrency: 4 }));

    const results = await collect(loader.loadAll(source));

    cdf().configure({ latency: undefined });
    expect(results).toHaveLength(20_500);
    expect(results.every((result) => result.item === null)).toBe(true);
    expect(cdf().counters.maxConcurrent).toBe(4);
    expect(byIdsRequests(cdf()).map((entry) => entry.items.length)).toEqual([...Array<number>(20).fill(1_000), 500]);
    expect(loader.stats()).toMatchObject({ requests: 21, requestFailures: 0 });
  });

  test('an abort mid-run throws the reason, aborts the requests in flight and closes the input', async () => {
    const input = Array.from({ length: 200 }, (_, index) => unknownId(index));
    // The first four requests answer; the rest would hang for a minute.
    cdf().addFault({ request: Array.from({ length: 20 }, (_, index) => index + 5), delayMs: 60_000 });
    const { source, state } = recordingSource(input);
    const loader = createFilesLoader(optionsFor(cdf(), { maxBatchSize: 10, maxConcurrency: 2 }));
    const controller = new AbortController();
    const received: unknown[] = [];
    const run = (async () => {
      for await (const result of loader.loadAll(source, { signal: controller.signal })) received.push(result);
    })();
    await until(() => received.length === 40 && cdf().counters.inFlight === 2, 'the first 40 results, and two requests hanging');
    const timersBefore = timers();

    const reason = new Error('the user pressed Ctrl-C');
    controller.abort(reason);

    await expect(run).rejects.toBe(reason);
    expect(state.closed).toBe(true);
    await until(() => cdf().counters.inFlight === 0, 'the hanging requests to be aborted', 2_000);
    expect(cdf().counters.clientAborts).toBe(2);
    expect(received).toHaveLength(40);
    expect(timers()).toBeLessThanOrEqual(timersBefore);
  });

  test('hands the loader its input in groups of a request each, not one per result, while reading waits at the bound on keys', async () => {
    cdf().configure({ latency: { fixedMs: 20 } });
    // New keys throughout, so reading keeps meeting the bound on keys (2 × 1 × 50 = 100) as answers are yielded.
    const ids = Array.from({ length: 2_000 }, (_, index) => unknownId(index));
    const loader = createFilesLoader(optionsFor(cdf(), { maxBatchSize: 50, maxConcurrency: 1 }));
    const groups = vi.spyOn(Engine.prototype, 'loadMany');

    const results = await collect(loader.loadAll(ids));

    cdf().configure({ latency: undefined });
    const handed = groups.mock.calls.map(([group]) => group);
    groups.mockRestore();
    expect(results.map((result) => result.item)).toEqual(ids.map(() => null));
    // 40 requests' worth (measured: 40). A group goes short only when the consumer waits for an
    // answer; before, each result yielded at the bound made a group of its own (measured: 1,902).
    expect(handed.length).toBeLessThanOrEqual(80);
    expect(handed.flat()).toEqual(ids);
  });

  test('a consumer that breaks out aborts what is outstanding and closes the input', async () => {
    const input = Array.from({ length: 200 }, (_, index) => unknownId(index));
    cdf().addFault({ request: 2, delayMs: 60_000 });
    const { source, state } = recordingSource(input);
    const loader = createFilesLoader(optionsFor(cdf(), { maxBatchSize: 10, maxConcurrency: 1 }));

    let received = 0;
    for await (const result of loader.loadAll(source)) {
      expect(result).toEqual({ identifier: input[received], item: null });
      if (++received < 10) continue;
      await until(() => cdf().counters.inFlight === 1, 'the second request to hang');
      break;
    }

    expect(state.closed).toBe(true);
    expect(state.pulled).toBeLessThanOrEqual(10 + 2 * 1 * 10);
    await until(() => cdf().counters.inFlight === 0, 'the hanging request to be aborted', 2_000);
    expect(cdf().counters.clientAborts).toBe(1);
    expect(byIdsRequests(cdf())).toHaveLength(2);
  });

  test('calls made without awaiting the one before are answered in turn, as an async generator queues them: results in input order, then done', async () => {
    const input = Array.from({ length: 25 }, (_, index) => unknownId(index));
    const { source, state } = recordingSource(input);
    const loader = createFilesLoader(optionsFor(cdf(), { maxBatchSize: 10 }));
    const results = loader.loadAll(source);

    const steps = await Promise.all(Array.from({ length: 27 }, () => results.next()));

    expect(steps.slice(0, 25)).toEqual(input.map((identifier) => ({ done: false, value: { identifier, item: null } })));
    expect(steps.slice(25)).toEqual([
      { done: true, value: undefined },
      { done: true, value: undefined },
    ]);
    expect(state.finished).toBe(true);
    expect(byIdsRequests(cdf()).map((entry) => entry.items.length)).toEqual([10, 10, 5]);
  });

  test('return() and throw() end the run as a generator does: the input closed, later calls done', async () => {
    // Longer than the read-ahead (2 × 1 × 10 identifiers waiting for CDF): the input is not read to its end.
    const input = Array.from({ length: 300 }, (_, index) => unknownId(index));
    const closing = recordingSource(input);
    const loader = createFilesLoader(optionsFor(cdf(), { maxBatchSize: 10, maxConcurrency: 1 }));
    const returning = loader.loadAll(closing.source);
    const first = await returning.next();

    expect(first).toEqual({ done: false, value: { identifier: input[0], item: null } });
    expect(await returning.return()).toEqual({ done: true, value: undefined });
    expect(closing.state.closed).toBe(true);
    expect(await returning.next()).toEqual({ done: true, value: undefined });

    const throwing = recordingSource(input);
    const thrown = loader.loadAll(throwing.source);
    await thrown.next();
    const error = new Error('the consumer gave up');
    await expect(thrown.throw(error)).rejects.toBe(error);
    expect(throwing.state.closed).toBe(true);
    expect(await thrown.next()).toEqual({ done: true, value: undefined });
  });

  test('a signal aborted before the first result throws at once and never reads the input', async () => {
    const { source, state } = recordingSource([{ id: 1 }]);
    const loader = createFilesLoader(optionsFor(cdf()));
    const reason = new Error('too late');

    await expect(collect(loader.loadAll(source, { signal: AbortSignal.abort(reason) }))).rejects.toBe(reason);
    expect(state.pulled).toBe(0);
    expect(byIdsRequests(cdf())).toHaveLength(0);
  });

  test('an input that throws: what was read before it is answered, then the iteration throws its error', async () => {
    const [file] = cdf().data.files;
    const broken = new Error('the stream broke');
    function* source(): Generator<Identifier> {
      yield { id: file!.id };
      yield unknownId(1);
      throw broken;
    }
    const loader = createFilesLoader(optionsFor(cdf()));
    const received: unknown[] = [];

    await expect(
      (async () => {
        for await (const result of loader.loadAll(source())) received.push(result.item);
      })(),
    ).rejects.toBe(broken);
    expect(received).toEqual([file, null]);
  });

  test('a loader closed mid-run ends the iteration with LoaderClosedError', async () => {
    const input = Array.from({ length: 50 }, (_, index) => unknownId(index));
    cdf().addFault({ request: 2, delayMs: 60_000 });
    const loader = createFilesLoader(optionsFor(cdf(), { maxBatchSize: 10, maxConcurrency: 1 }));
    const received: unknown[] = [];
    const run = (async () => {
      for await (const result of loader.loadAll(input)) received.push(result);
    })();
    await until(() => received.length === 10 && cdf().counters.inFlight === 1, 'the first request answered, the second hanging');

    await loader.close();

    await expect(run).rejects.toBeInstanceOf(LoaderClosedError);
    expect(received).toHaveLength(10);
  });

  test('rejects input that is not iterable and options out of range at the call', () => {
    const loader = createFilesLoader(optionsFor(cdf()));
    expect(() => loader.loadAll(42 as never)).toThrow(
      new TypeError('`loadAll` takes an iterable or async iterable of identifiers (an array, a generator, a stream), got 42.'),
    );
    expect(() => loader.loadAll('1,2' as never)).toThrow(TypeError);
    expect(() => loader.loadAll([], { concurrency: 0 })).toThrow(new TypeError('`concurrency` must be an integer ≥ 1, got 0.'));
    expect(() => loader.loadAll([], { concurency: 2 } as never)).toThrow(new TypeError('Unknown option `concurency`; did you mean `concurrency`?'));
    expect(() => loader.loadAll([], { signal: 'stop' as never })).toThrow(new TypeError('`signal` must be an AbortSignal, got "stop".'));
  });
});

/** Timers alive in this process now. */
function timers(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
}
