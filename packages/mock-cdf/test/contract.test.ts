import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { RESOURCE_NAMES, type ResourceName } from '../src/index.js';
import { post, start } from './helpers.js';

// Cognite's published schemas for the five byids endpoints (test/fixtures/cdf-openapi-byids.json, a subset of the CDF v1 OpenAPI spec), with two corrections:
// - InstanceExternalId (and CogniteInstanceId.externalId): the spec's pattern forbids `.` and `-` and its length stops at
//   255, but real node ids are any characters but NUL, 1..256 long.
// - The request selectors ({id} | {externalId} | {instanceId}) omit `required`, so as published every item matches every
//   branch of their `oneOf` and no request at all would validate; each branch gets the `required` its title implies.
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const spec = JSON.parse(readFileSync(new URL('./fixtures/cdf-openapi-byids.json', import.meta.url), 'utf8')) as Json;
const schemas = spec.components.schemas as Json;
schemas.InstanceExternalId = { type: 'string', minLength: 1, maxLength: 256, pattern: '^[^\\u0000]*$' };
schemas.CogniteInstanceId.properties.externalId = schemas.InstanceExternalId;
const requireSelector = (branch: Json): void => {
  const [key] = Object.keys(branch.properties as Json);
  branch.required = [key];
};
for (const name of ['FileSelectById', 'FileSelectByExternalId', 'FileSelectByInstanceId']) requireSelector(schemas[name] as Json);
for (const branch of schemas.DataResourceIdsWithIgnoreUnknownIds.allOf[0].properties.items.items.oneOf as Json[]) requireSelector(branch);
for (const branch of schemas.TimeSeriesLookupById.allOf[0].properties.items.items.oneOf as Json[]) requireSelector(branch);

const SPEC_ID = 'https://cognite.example/byids';
const ajv = new Ajv2020.default({ strict: false, validateFormats: false, allErrors: true });
ajv.addSchema({ $id: SPEC_ID, components: spec.components }, SPEC_ID);

/** The spec's complaints about `value` under `schema` (a schema or `$ref` as it appears in the spec); [] if it conforms. */
function errorsOf(schema: Json, value: unknown): string[] {
  const rebased = JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', `"${SPEC_ID}#/components/`)) as Json;
  const validate = ajv.compile(rebased);
  return validate(value) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message ?? ''}`);
}

const errorSchema = spec.components.responses.ErrorResponse.content['application/json'].schema as Json;

function operation(resource: ResourceName): Json {
  return spec.paths[`/${resource}/byids`].post as Json;
}

/** The JSON schema of the spec's answer for `status`, or CDF's general error schema where the spec lists none. */
function responseSchema(resource: ResourceName, status: number): Json {
  let response = (operation(resource).responses as Json)[String(status)] as Json | undefined;
  if (response === undefined) return status === 200 ? {} : errorSchema;
  if (typeof response.$ref === 'string') response = spec.components.responses[response.$ref.split('/').pop() as string] as Json;
  return response.content['application/json'].schema as Json;
}

const requestSchema = (resource: ResourceName): Json => operation(resource).requestBody.content['application/json'].schema as Json;

describe('contract with the published CDF spec', () => {
  it.each(RESOURCE_NAMES)('%s: every item returned matches the spec', async (resource) => {
    const mock = await start();
    const items = (mock.data[resource] as { id: number }[]).map((item) => ({ id: item.id }));
    const reply = await post(mock, resource, { items });
    expect(reply.status).toBe(200);
    expect(errorsOf(responseSchema(resource, 200), reply.body)).toEqual([]);
    expect((reply.body as { items: unknown[] }).items).toHaveLength(items.length);
  });

  it.each(RESOURCE_NAMES)('%s: not-found and validation errors match the spec', async (resource) => {
    const mock = await start();
    const notFound = await post(mock, resource, { items: [{ id: 1 }, { externalId: 'ghost' }] });
    expect(notFound.status).toBe(400);
    expect(errorsOf(responseSchema(resource, 400), notFound.body)).toEqual([]);
    const invalid = await post(mock, resource, { items: [] });
    expect(errorsOf(errorSchema, invalid.body)).toEqual([]);
  });

  it.each(RESOURCE_NAMES)('%s: the duplicates error matches the spec', async (resource) => {
    const mock = await start();
    const reply = await post(mock, resource, { items: [{ id: 1 }, { id: 1 }] });
    expect(errorsOf(responseSchema(resource, reply.status), reply.body)).toEqual([]);
    expect(reply.status).toBe(resource === 'timeseries' ? 422 : 400);
  });

  it.each(RESOURCE_NAMES)('%s: the duplicates error for one item named by id and by externalId matches the spec', async (resource) => {
    const mock = await start();
    const item = (mock.data[resource] as { id: number; externalId?: string }[]).find((candidate) => candidate.externalId !== undefined)!;
    const reply = await post(mock, resource, { items: [{ id: item.id }, { externalId: item.externalId }], ignoreUnknownIds: true });
    expect(reply.status).toBe(resource === 'timeseries' ? 422 : 400);
    expect(errorsOf(responseSchema(resource, reply.status), reply.body)).toEqual([]);
  });

  it('401, 404 and throttling 429 bodies match the spec', async () => {
    const mock = await start({ rateLimit: { requests: 1, intervalMs: 60_000 } });
    const throttled = spec.components.responses['429ErrorResponse'].content['application/json'].schema as Json;
    expect(errorsOf(errorSchema, (await post(mock, 'files', { items: [{ id: 1 }] }, { token: 'nope' })).body)).toEqual([]);
    expect(errorsOf(errorSchema, (await post(mock, 'files', { items: [{ id: 1 }] }, { project: 'other' })).body)).toEqual([]);
    await post(mock, 'files', { items: [{ id: 1 }], ignoreUnknownIds: true });
    const reply = await post(mock, 'files', { items: [{ id: 1 }] });
    expect(reply.status).toBe(429);
    expect(errorsOf(throttled, reply.body)).toEqual([]);
  });

  const instanceId = { space: 'cdf_files', externalId: 'report-2024.pdf' };
  const corpus: unknown[] = [
    { items: [{ id: 1 }] },
    { items: [{ id: 1 }, { externalId: 'a' }], ignoreUnknownIds: true },
    { items: [{ instanceId }] },
    { items: [{ id: 9007199254740991 }, { externalId: 'x'.repeat(255) }] },
    { items: [{ instanceId: { space: 's'.repeat(43), externalId: 'y'.repeat(256) } }] },
    { items: [] },
    { items: Array.from({ length: 1001 }, (_, i) => ({ id: i + 1 })) },
    {},
    { items: [{}] },
    { items: [{ id: 0 }] },
    { items: [{ id: 1.5 }] },
    { items: [{ id: 9007199254740992 }] },
    { items: [{ id: '1' }] },
    { items: [{ externalId: 'x'.repeat(256) }] },
    { items: [{ externalId: 5 }] },
    { items: [{ id: 1, externalId: 'a' }] },
    { items: [{ instanceId: { space: '9x', externalId: 'a' } }] },
    { items: [{ instanceId: { space: 'sp', externalId: 'x'.repeat(257) } }] },
    { items: [{ instanceId: { space: 'sp', externalId: 'a\u0000' } }] },
    { items: [{ instanceId: { space: 'sp' } }] },
    { items: [{ id: 1 }], ignoreUnknownIds: 'true' },
    { items: [5] },
    { items: 'all' },
    [{ id: 1 }],
  ];

  it.each(RESOURCE_NAMES)('%s: whatever the spec rejects, the fake rejects; whatever the fake accepts, the spec accepts', async (resource) => {
    const mock = await start();
    let accepted = 0;
    for (const body of corpus) {
      const specErrors = errorsOf(requestSchema(resource), body);
      const reply = await post(mock, resource, body);
      const fakeAccepts = reply.status === 200 || (reply.status === 400 && (reply.body as Json).error.missing !== undefined);
      if (specErrors.length > 0) expect({ body, status: reply.status }).toEqual({ body, status: 400 });
      if (fakeAccepts) {
        accepted++;
        expect({ body, specErrors }).toEqual({ body, specErrors: [] });
      }
    }
    expect(accepted).toBe(['files', 'timeseries'].includes(resource) ? 5 : 3);
  });

  it('is stricter than the spec where CDF is: empty externalIds, unknown fields, duplicates', async () => {
    const mock = await start();
    for (const body of [{ items: [{ externalId: '' }] }, { items: [{ id: 1, name: 'x' }] }, { items: [{ id: 1 }, { id: 1 }] }]) {
      expect(errorsOf(requestSchema('files'), body)).toEqual([]);
      expect((await post(mock, 'files', body)).status).toBe(400);
    }
  });
});
