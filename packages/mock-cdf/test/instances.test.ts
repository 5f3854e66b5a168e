import { describe, expect, it } from 'vitest';
import { MAX_SOURCES, VIEWS } from '../src/index.js';
import { cdfError, itemsOf, postPath, start, violations } from './helpers.js';

const INSTANCES = 'models/instances/byids';

describe('models/instances/byids', () => {
  it('holds a CogniteFile node for every file with an instanceId, and edges between some of them', async () => {
    const mock = await start();
    const withInstance = mock.data.files.filter((file) => file.instanceId !== undefined);
    const nodes = mock.data.instances.filter((instance) => instance.instanceType === 'node');
    const edges = mock.data.instances.filter((instance) => instance.instanceType === 'edge');
    expect(nodes.map(({ space, externalId }) => ({ space, externalId }))).toEqual(withInstance.map((file) => file.instanceId));
    expect(edges.length).toBe(Math.ceil((nodes.length - 1) / 10));
    expect(edges[0]).toMatchObject({ startNode: { externalId: nodes[0]!.externalId }, endNode: { externalId: nodes[1]!.externalId } });
  });

  it('answers known instances, without properties unless `sources` names their views; unknown ones are absent', async () => {
    const mock = await start();
    const file = mock.data.files.find((candidate) => candidate.instanceId !== undefined)!;
    const node = { instanceType: 'node', ...file.instanceId! };
    const edge = mock.data.instances.find((instance) => instance.instanceType === 'edge')!;
    const edgeRef = { instanceType: 'edge', space: edge.space, externalId: edge.externalId };
    const ghost = { instanceType: 'node', space: 'cdf_files', externalId: 'ghost' };
    const plain = await postPath(mock, INSTANCES, { items: [ghost, node, edgeRef] });
    expect(plain.status).toBe(200);
    expect(itemsOf(plain)).toEqual([
      { ...node, version: 1, createdTime: file.createdTime, lastUpdatedTime: file.lastUpdatedTime, properties: {} },
      { ...edgeRef, version: 1, createdTime: edge.createdTime, lastUpdatedTime: edge.lastUpdatedTime, type: edge.type, startNode: edge.startNode, endNode: edge.endNode, properties: {} },
    ]);
    const viewed = await postPath(mock, INSTANCES, { items: [node], sources: [{ source: VIEWS.file }, { source: VIEWS.describable }], includeTyping: true });
    expect(viewed.body).toMatchObject({ typing: {} });
    expect(itemsOf(viewed)[0]!.properties).toEqual({
      cdf_cdm: {
        'CogniteFile/v1': { name: file.name, mimeType: file.mimeType ?? null, directory: file.directory ?? null },
        'CogniteDescribable/v1': { name: file.name, description: null, tags: [] },
      },
    });
    expect(mock.log.at(-1)).toMatchObject({ route: 'models/instances', resource: null, items: [node], itemsReturned: 1 });
  });

  it('takes 1 to 1000 unique references and at most 10 distinct views; an unknown view is a 400', async () => {
    const mock = await start();
    const refs = Array.from({ length: 1001 }, (_, index) => ({ instanceType: 'node', space: 'sp', externalId: `n${index}` }));
    expect(itemsOf(await postPath(mock, INSTANCES, { items: refs.slice(0, 1000) }))).toEqual([]);
    expect((await postPath(mock, INSTANCES, { items: refs })).body).toEqual(cdfError(400, violations('items size must be between 1 and 1000')));
    const views = Array.from({ length: MAX_SOURCES + 1 }, (_, index) => ({ source: { ...VIEWS.file, externalId: `View${index}` } }));
    expect((await postPath(mock, INSTANCES, { items: refs.slice(0, 1), sources: views })).body).toEqual(
      cdfError(400, violations('sources must name at most 10 distinct views')),
    );
    expect((await postPath(mock, INSTANCES, { items: refs.slice(0, 1), sources: views.slice(0, 1) })).body).toEqual(
      cdfError(400, 'One or more views do not exist: cdf_cdm:View0/v1'),
    );
    const sameTen = Array.from({ length: 12 }, () => ({ source: VIEWS.file }));
    expect((await postPath(mock, INSTANCES, { items: refs.slice(0, 1), sources: sameTen })).status).toBe(200);
    expect((await postPath(mock, INSTANCES, { items: [refs[0], refs[0]] })).body).toEqual(cdfError(400, 'Instances duplicated', { duplicated: [refs[0]] }));
  });

  it('checks every reference as CDF does', async () => {
    const mock = await start();
    const reply = await postPath(mock, INSTANCES, {
      items: [{ instanceType: 'view', space: '1sp', externalId: '', extra: 1 }],
      ignoreUnknownIds: true,
    });
    expect(reply.body).toEqual(
      cdfError(
        400,
        violations(
          'ignoreUnknownIds is not a recognized field',
          'items[0].extra is not a recognized field',
          'items[0].instanceType must be node or edge',
          'items[0].space must match ^[a-zA-Z][a-zA-Z0-9_-]{0,41}[a-zA-Z0-9]?$',
          'items[0].externalId must be a string of 1 to 256 characters without NUL',
        ),
      ),
    );
  });
});
