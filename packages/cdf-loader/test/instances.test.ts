import { VIEWS } from '@cdf-loader/mock-cdf';
import { describe, expect, expectTypeOf, test } from 'vitest';
import {
  createCdfLoaders,
  createInstancesLoader,
  createMemorySharedCache,
  type EdgeInstance,
  type Instance,
  type InstanceIdentifier,
  InvalidIdentifierError,
  type NodeInstance,
  NotFoundError,
  parseInstanceIdentifier,
} from '../src/index.js';
import { optionsFor, requestsTo, useMockCdf } from './support.js';

const cdf = useMockCdf({ counts: { files: 4000 } });
const INSTANCES = 'models/instances';
const sources = [{ source: VIEWS.file }];

function referencesOf(instances: readonly { instanceType: 'node' | 'edge'; space: string; externalId: string }[]): InstanceIdentifier[] {
  return instances.map(({ instanceType, space, externalId }) => ({ instanceType, space, externalId }));
}

describe('data-modeling instances', () => {
  test('loads of many callers: deduped, at most 1000 per request, `sources` with every request, null for unknown', async () => {
    const instances = createInstancesLoader(optionsFor(cdf(), { sources }));
    const known = referencesOf(cdf().data.instances).slice(0, 1200);
    const unknown = Array.from({ length: 300 }, (_, index): InstanceIdentifier => ({ instanceType: 'node', space: 'cdf_files', externalId: `ghost-${index}` }));
    const wanted = [...known, ...unknown];
    const answers = await Promise.all([...wanted, ...known.slice(0, 50)].map((reference) => instances.load(reference)));

    const sent = requestsTo(cdf(), INSTANCES);
    expect(known).toHaveLength(1200);
    expect(sent.map((entry) => entry.items.length)).toEqual([1000, 500]);
    expect(sent.flatMap((entry) => entry.items)).toEqual(wanted);
    expect(sent.map((entry) => entry.sources)).toEqual([sources, sources]);
    expect(answers.slice(0, known.length).map((instance) => instance && referencesOf([instance])[0])).toEqual(known);
    expect(answers.slice(known.length, wanted.length)).toEqual(unknown.map(() => null));
    const node = answers.find((instance): instance is NodeInstance => instance?.instanceType === 'node')!;
    const file = cdf().data.files.find((candidate) => candidate.instanceId?.externalId === node.externalId)!;
    expect(node.properties).toEqual({ cdf_cdm: { 'CogniteFile/v1': { name: file.name, mimeType: file.mimeType ?? null, directory: file.directory ?? null } } });
    expect(instances.stats()).toMatchObject({ requests: 2, notFound: 300, inflightJoins: 50 });
  });

  test('every request carries the loader\'s `sources`; without them, none and no properties', async () => {
    const [node] = referencesOf(cdf().data.instances);
    await createInstancesLoader(optionsFor(cdf(), { sources })).load(node!);
    const plain = await createInstancesLoader(optionsFor(cdf())).load(node!);
    const bodies = requestsTo(cdf(), INSTANCES).map((entry) => [entry.items, entry.sources]);
    expect(bodies).toEqual([
      [[node], sources],
      [[node], null],
    ]);
    expect(plain!.properties).toEqual({});
  });

  test('edges are answered as edges; node and edge references of the same name are different keys', async () => {
    const instances = createInstancesLoader(optionsFor(cdf()));
    const edge = cdf().data.instances.find((instance) => instance.instanceType === 'edge')!;
    const loaded = await instances.load({ instanceType: 'edge', space: edge.space, externalId: edge.externalId });
    expect(loaded).toMatchObject({ instanceType: 'edge', startNode: edge.startNode, endNode: edge.endNode, type: edge.type });
    expect(await instances.load({ instanceType: 'node', space: edge.space, externalId: edge.externalId })).toBeNull();
    expect(requestsTo(cdf(), INSTANCES)).toHaveLength(2);
    // Cached: no third request.
    expect(await instances.load({ instanceType: 'edge', space: edge.space, externalId: edge.externalId })).toEqual(loaded);
    expect(requestsTo(cdf(), INSTANCES)).toHaveLength(2);
    expectTypeOf(loaded).toEqualTypeOf<Instance | null>();
    expectTypeOf<NonNullable<typeof loaded>>().toEqualTypeOf<NodeInstance | EdgeInstance>();
    if (loaded?.instanceType === 'edge') expectTypeOf(loaded).toEqualTypeOf<EdgeInstance>();
  });

  test("with `missing: 'error'` an unknown instance rejects with NotFoundError naming the reference", async () => {
    const instances = createInstancesLoader(optionsFor(cdf(), { missing: 'error' }));
    const error = await instances.load({ instanceType: 'node', space: 'sp', externalId: 'ghost' }).catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ message: 'No instance with {"instanceType":"node","space":"sp","externalId":"ghost"}.', resource: 'models/instances' });
  });

  test('an invalid reference rejects that load only, never sent; parseInstanceIdentifier names the field, the rule and the value', async () => {
    const instances = createInstancesLoader(optionsFor(cdf()));
    const [node] = referencesOf(cdf().data.instances);
    const results = await instances.loadMany([node!, { instanceType: 'node', space: '1x', externalId: 'a' } as InstanceIdentifier]);
    expect(results[0]).toMatchObject(node!);
    expect(results[1]).toBeInstanceOf(InvalidIdentifierError);
    expect(requestsTo(cdf(), INSTANCES).flatMap((entry) => entry.items)).toEqual([node]);

    const cases: [unknown, string][] = [
      [{ space: 'sp', externalId: 'a' }, `Invalid identifier {"space":"sp","externalId":"a"}: \`instanceType\` must be 'node' or 'edge', got undefined.`],
      [{ instanceType: 'view', space: 'sp', externalId: 'a' }, `Invalid identifier {"instanceType":"view","space":"sp","externalId":"a"}: \`instanceType\` must be 'node' or 'edge', got "view".`],
      [{ instanceType: 'node', space: '1x', externalId: 'a' }, 'Invalid identifier {"instanceType":"node","space":"1x","externalId":"a"}: `space` must match ^[a-zA-Z][a-zA-Z0-9_-]{0,41}[a-zA-Z0-9]?$, got "1x".'],
      [{ instanceType: 'node', space: 'sp', externalId: '' }, 'Invalid identifier {"instanceType":"node","space":"sp","externalId":""}: `externalId` must be a string of 1 to 256 characters without NUL, got "" (0 characters).'],
      [{ instanceType: 'node', space: 'sp', externalId: 'a', version: 1 }, 'Invalid identifier {"instanceType":"node","space":"sp","externalId":"a","version":1}: unknown key `version`; allowed: `instanceType`, `space`, `externalId`.'],
      ['node', 'Invalid identifier "node": expected an object with `instanceType`, `space`, `externalId`.'],
    ];
    for (const [value, message] of cases) expect(() => parseInstanceIdentifier(value)).toThrow(new InvalidIdentifierError(message, value));
    const input = { instanceType: 'edge', space: 'sp', externalId: 'report-2024.pdf' };
    const parsed = parseInstanceIdentifier(input);
    expect(parsed).toEqual({ instanceType: 'edge', space: 'sp', externalId: 'report-2024.pdf' });
    expect(parsed).not.toBe(input);
  });

  test('forRequest() memoizes by reference within one request', async () => {
    const scope = createInstancesLoader(optionsFor(cdf())).forRequest();
    const [node] = referencesOf(cdf().data.instances);
    const [a, b] = await Promise.all([scope.load(node!), scope.load({ ...node! })]);
    expect(a).toBe(b);
    expect(requestsTo(cdf(), INSTANCES).map((entry) => entry.items)).toEqual([[node]]);
  });

  test('`cdf.instances` takes `instances.sources`; the shared tier keeps instances read through other views apart', async () => {
    const shared = createMemorySharedCache();
    const [node] = referencesOf(cdf().data.instances);
    const viewed = createCdfLoaders(optionsFor(cdf(), { instances: { sources }, cache: { shared } }));
    const plain = createCdfLoaders(optionsFor(cdf(), { cache: { shared: shared.replica() } }));
    const again = createCdfLoaders(optionsFor(cdf(), { instances: { sources }, cache: { shared: shared.replica() } }));
    expect(Object.keys((await viewed.instances.load(node!))!.properties!)).toEqual(['cdf_cdm']);
    expect((await plain.instances.load(node!))!.properties).toEqual({});
    expect(Object.keys((await again.instances.load(node!))!.properties!)).toEqual(['cdf_cdm']);
    expect(requestsTo(cdf(), INSTANCES)).toHaveLength(2);
    expect(again.instances.stats()).toMatchObject({ sharedHits: 1, requests: 0 });
    await Promise.all([viewed.close(), plain.close(), again.close()]);
  });

  test('`sources` is checked at construction: view references, at most 10 distinct views', () => {
    const view = (index: number) => ({ source: { ...VIEWS.file, externalId: `View${index}` } });
    expect(() => createInstancesLoader(optionsFor(cdf(), { sources: Array.from({ length: 11 }, (_, index) => view(index)) }))).toThrow(
      new TypeError("`sources` may name at most 10 distinct views (CDF's limit), got 11."),
    );
    expect(() => createInstancesLoader(optionsFor(cdf(), { sources: Array.from({ length: 12 }, () => view(1)) }))).not.toThrow();
    expect(() => createInstancesLoader(optionsFor(cdf(), { sources: [{ source: { ...VIEWS.file, type: 'container' as 'view' } }] }))).toThrow(
      new TypeError("`sources[0].source.type` must be 'view', got \"container\"."),
    );
    expect(() => createInstancesLoader(optionsFor(cdf(), { sources: [{ source: { ...VIEWS.file, space: '' } }] }))).toThrow(
      new TypeError('`sources[0].source.space` must match ^[a-zA-Z][a-zA-Z0-9_-]{0,41}[a-zA-Z0-9]?$, got "".'),
    );
    expect(() => createCdfLoaders({ ...optionsFor(cdf()), instances: { sources: 'all' as never } })).toThrow(
      new TypeError("`instances.sources` must be an array of `{ source: { type: 'view', space, externalId, version } }`, got \"all\"."),
    );
  });
});
