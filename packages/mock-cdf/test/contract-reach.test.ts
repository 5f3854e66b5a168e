import Ajv2020 from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { VIEWS } from '../src/index.js';
import { postPath, start } from './helpers.js';

// No published schema file is at hand for `files/downloadlink` and `models/instances/byids` (the
// fixture holds the five byids endpoints only), so these schemas are written from CDF-API.md,
// "More endpoints and limits": the request bodies, their limits (100 links, 1000 instances, 10
// distinct views), the answers' shapes and CDF's error body. Fields CDF-API.md does not name are
// allowed in answers, as CDF may add fields.
type Json = Record<string, unknown>;
const ajv = new Ajv2020.default({ strict: false, allErrors: true });

const space = { type: 'string', pattern: '^[a-zA-Z][a-zA-Z0-9_-]{0,41}[a-zA-Z0-9]?$' };
const nodeExternalId = { type: 'string', minLength: 1, maxLength: 256, pattern: '^[^\\u0000]*$' };
const instanceId = { type: 'object', required: ['space', 'externalId'], additionalProperties: false, properties: { space, externalId: nodeExternalId } };
const fileSelector = {
  oneOf: [
    { type: 'object', required: ['id'], additionalProperties: false, properties: { id: { type: 'integer', minimum: 1, maximum: 9007199254740991 } } },
    { type: 'object', required: ['externalId'], additionalProperties: false, properties: { externalId: { type: 'string', minLength: 1, maxLength: 255 } } },
    { type: 'object', required: ['instanceId'], additionalProperties: false, properties: { instanceId } },
  ],
};
const linksRequest = {
  type: 'object',
  required: ['items'],
  additionalProperties: false,
  properties: { items: { type: 'array', minItems: 1, maxItems: 100, items: fileSelector } },
};
/** An answer `{ items: [item, …], …others }`. */
function itemsAnswer(item: Json, others: Json = {}): Json {
  return { type: 'object', required: ['items'], properties: { items: { type: 'array', items: item }, ...others } };
}
const linksAnswer = itemsAnswer({
  type: 'object',
  required: ['downloadUrl'],
  properties: { downloadUrl: { type: 'string', pattern: '^https?://' }, id: { type: 'integer' }, externalId: { type: 'string' }, instanceId },
  oneOf: [{ required: ['id'] }, { required: ['externalId'] }, { required: ['instanceId'] }],
});
const reference = { type: 'object', required: ['space', 'externalId'], properties: { space, externalId: { type: 'string' } } };
const view = {
  type: 'object',
  required: ['type', 'space', 'externalId', 'version'],
  additionalProperties: false,
  properties: { type: { const: 'view' }, space, externalId: { type: 'string', minLength: 1 }, version: { type: 'string', minLength: 1 } },
};
const instancesRequest = {
  type: 'object',
  required: ['items'],
  additionalProperties: false,
  properties: {
    items: {
      type: 'array',
      minItems: 1,
      maxItems: 1000,
      items: {
        type: 'object',
        required: ['instanceType', 'space', 'externalId'],
        additionalProperties: false,
        properties: { instanceType: { enum: ['node', 'edge'] }, space, externalId: nodeExternalId },
      },
    },
    // At most 10 *distinct* views: a count JSON schema cannot state; the test checks it apart.
    sources: { type: 'array', items: { type: 'object', required: ['source'], additionalProperties: false, properties: { source: view } } },
    includeTyping: { type: 'boolean' },
  },
};
const properties = { type: 'object', additionalProperties: { type: 'object', additionalProperties: { type: 'object' } } };
const instanceFields = {
  space,
  externalId: nodeExternalId,
  version: { type: 'integer' },
  createdTime: { type: 'integer' },
  lastUpdatedTime: { type: 'integer' },
  deletedTime: { type: 'integer' },
  properties,
};
const instancesAnswer = itemsAnswer(
  {
    oneOf: [
      { type: 'object', required: ['instanceType', 'space', 'externalId', 'version', 'createdTime', 'lastUpdatedTime'], properties: { ...instanceFields, instanceType: { const: 'node' }, type: reference } },
      {
        type: 'object',
        required: ['instanceType', 'space', 'externalId', 'version', 'createdTime', 'lastUpdatedTime', 'type', 'startNode', 'endNode'],
        properties: { ...instanceFields, instanceType: { const: 'edge' }, type: reference, startNode: reference, endNode: reference },
      },
    ],
  },
  { typing: { type: 'object' } },
);
const errorBody = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'integer' }, message: { type: 'string' }, missing: { type: 'array', items: { type: 'object' } }, duplicated: { type: 'array' } },
    },
  },
};

function errorsOf(schema: Json, value: unknown): string[] {
  const validate = ajv.compile(schema);
  return validate(value) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message ?? ''}`);
}

const fileInstance = { space: 'cdf_files', externalId: 'report-2024.pdf' };
const linksCorpus: unknown[] = [
  { items: [{ id: 1 }] },
  { items: [{ instanceId: fileInstance }, { externalId: 'a' }] },
  { items: Array.from({ length: 100 }, (_, i) => ({ id: i + 1 })) },
  { items: Array.from({ length: 101 }, (_, i) => ({ id: i + 1 })) },
  { items: [] },
  {},
  { items: [{ id: 0 }] },
  { items: [{ id: 1, externalId: 'a' }] },
  { items: [{ externalId: 'x'.repeat(256) }] },
  { items: [{ instanceId: { space: '9x', externalId: 'a' } }] },
  { items: [{ id: 1 }], ignoreUnknownIds: true },
  { items: [{ id: 1 }], extendedExpiration: true },
  [{ id: 1 }],
];
const node = { instanceType: 'node', ...fileInstance };
const instancesCorpus: unknown[] = [
  { items: [node] },
  { items: [node], sources: [{ source: VIEWS.file }], includeTyping: false },
  { items: Array.from({ length: 1000 }, (_, i) => ({ ...node, externalId: `n${i}` })) },
  { items: Array.from({ length: 1001 }, (_, i) => ({ ...node, externalId: `n${i}` })) },
  { items: [] },
  { items: [{ ...node, instanceType: 'view' }] },
  { items: [{ space: 'sp', externalId: 'a' }] },
  { items: [{ ...node, space: '9x' }] },
  { items: [{ ...node, externalId: 'a\u0000' }] },
  { items: [node], sources: [{ source: { ...VIEWS.file, type: 'container' } }] },
  { items: [node], sources: VIEWS.file },
  { items: [node], includeTyping: 'yes' },
  { items: [node], ignoreUnknownIds: true },
];

describe('contract of files/downloadlink and models/instances/byids (schemas from CDF-API.md)', () => {
  it.each([
    ['files/downloadlink', linksRequest, linksCorpus, 3],
    ['models/instances/byids', instancesRequest, instancesCorpus, 3],
  ] as const)('%s: whatever the schema rejects, the fake rejects; whatever the fake accepts, the schema accepts', async (path, schema, corpus, acceptedCount) => {
    const mock = await start();
    let accepted = 0;
    for (const body of corpus) {
      const schemaErrors = errorsOf(schema, body);
      const reply = await postPath(mock, path, body);
      const fakeAccepts = reply.status === 200 || (reply.status === 400 && (reply.body as { error: Json }).error.missing !== undefined);
      expect(errorsOf(fakeAccepts && reply.status === 200 ? (path === 'files/downloadlink' ? linksAnswer : instancesAnswer) : errorBody, reply.body)).toEqual([]);
      if (schemaErrors.length > 0) expect({ body, status: reply.status }).toEqual({ body, status: 400 });
      if (fakeAccepts) {
        accepted++;
        expect({ body, schemaErrors }).toEqual({ body, schemaErrors: [] });
      }
    }
    expect(accepted).toBe(acceptedCount);
  });

  it('every link and every instance the fake answers matches the schemas, with and without sources', async () => {
    const mock = await start();
    const links = await postPath(mock, 'files/downloadlink?extendedExpiration=true', {
      items: mock.data.files.slice(0, 100).map((file, i) => (i % 3 === 0 || file.externalId === undefined ? { id: file.id } : { externalId: file.externalId })),
    });
    expect(links.status).toBe(200);
    expect(errorsOf(linksAnswer, links.body)).toEqual([]);
    const items = mock.data.instances.map(({ instanceType, space: s, externalId }) => ({ instanceType, space: s, externalId }));
    for (const sources of [undefined, [{ source: VIEWS.file }, { source: VIEWS.describable }]]) {
      const reply = await postPath(mock, 'models/instances/byids', { items, ...(sources && { sources }), includeTyping: true });
      expect(errorsOf(instancesAnswer, reply.body)).toEqual([]);
      expect((reply.body as { items: unknown[] }).items).toHaveLength(items.length);
    }
  });

  it('errors of both endpoints have CDF\'s error shape: unknown files with `missing`, duplicates, too many views', async () => {
    const mock = await start();
    const answers = [
      await postPath(mock, 'files/downloadlink', { items: [{ externalId: 'ghost' }] }),
      await postPath(mock, 'files/downloadlink', { items: [{ id: 1 }, { id: 1 }] }),
      await postPath(mock, 'models/instances/byids', { items: [node, node] }),
      await postPath(mock, 'models/instances/byids', { items: [node], sources: Array.from({ length: 11 }, (_, i) => ({ source: { ...VIEWS.file, externalId: `V${i}` } })) }),
    ];
    for (const reply of answers) {
      expect(reply.status).toBe(400);
      expect(errorsOf(errorBody, reply.body)).toEqual([]);
    }
    expect((answers[0]!.body as { error: Json }).error.missing).toEqual([{ externalId: 'ghost' }]);
  });
});
