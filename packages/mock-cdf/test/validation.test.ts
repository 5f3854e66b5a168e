import { describe, expect, it } from 'vitest';
import { cdfError, post, start, violations } from './helpers.js';

const SPACE_RULE = 'must match ^[a-zA-Z][a-zA-Z0-9_-]{0,41}[a-zA-Z0-9]?$';

describe('request validation, as CDF', () => {
  it('rejects a body that is not JSON', async () => {
    const mock = await start();
    const reply = await post(mock, 'files', undefined, { raw: '{"items": [' });
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual(cdfError(400, 'Unable to parse the request body as JSON'));
  });

  it.each([['[]'], ['"items"'], ['null'], ['42']])('rejects a body that is not an object: %s', async (raw) => {
    const mock = await start();
    const reply = await post(mock, 'files', undefined, { raw });
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual(cdfError(400, 'Request body must be a JSON object'));
  });

  it.each([
    ['missing', {}, 'items must not be null'],
    ['null', { items: null }, 'items must not be null'],
    ['not an array', { items: { id: 1 } }, 'items must be an array'],
    ['empty', { items: [] }, 'items size must be between 1 and 1000'],
    ['over 1000', { items: Array.from({ length: 1001 }, (_, i) => ({ id: i + 1 })) }, 'items size must be between 1 and 1000'],
  ])('rejects items %s', async (_name, body, violation) => {
    const mock = await start();
    const reply = await post(mock, 'files', body);
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual(cdfError(400, violations(violation)));
  });

  it('gives the documented message for too many items', async () => {
    const mock = await start();
    const reply = await post(mock, 'files', { items: Array.from({ length: 1001 }, (_, i) => ({ id: i + 1 })) });
    expect(reply.body).toEqual(
      cdfError(400, 'Request had 1 constraint violations. Please fix the request and try again. [items size must be between 1 and 1000]'),
    );
  });

  it('accepts exactly 1000 items', async () => {
    const mock = await start();
    const reply = await post(mock, 'files', { items: mock.data.files.map((file) => ({ id: file.id })) });
    expect(reply.status).toBe(200);
  });

  it.each([
    ['not an object', 5, 'items[0] must be an object'],
    ['null', null, 'items[0] must be an object'],
    ['an array', [{ id: 1 }], 'items[0] must be an object'],
    ['empty', {}, 'items[0] must have exactly one of id, externalId, instanceId'],
    ['two identifiers', { id: 1, externalId: 'a' }, 'items[0] must have exactly one of id, externalId, instanceId'],
    ['id zero', { id: 0 }, 'items[0].id must be an integer between 1 and 9007199254740991'],
    ['id negative', { id: -3 }, 'items[0].id must be an integer between 1 and 9007199254740991'],
    ['id fractional', { id: 1.5 }, 'items[0].id must be an integer between 1 and 9007199254740991'],
    ['id over 2^53-1', { id: 9007199254740992 }, 'items[0].id must be an integer between 1 and 9007199254740991'],
    ['id a string', { id: '12' }, 'items[0].id must be an integer between 1 and 9007199254740991'],
    ['id null', { id: null }, 'items[0].id must be an integer between 1 and 9007199254740991'],
    ['externalId empty', { externalId: '' }, 'items[0].externalId must be a string of 1 to 255 characters'],
    ['externalId 256 chars', { externalId: 'x'.repeat(256) }, 'items[0].externalId must be a string of 1 to 255 characters'],
    ['externalId a number', { externalId: 7 }, 'items[0].externalId must be a string of 1 to 255 characters'],
    ['instanceId a string', { instanceId: 'sp:x' }, 'items[0].instanceId must be an object with space and externalId'],
    ['space bad start', { instanceId: { space: '1sp', externalId: 'x' } }, `items[0].instanceId.space ${SPACE_RULE}`],
    ['space 44 chars', { instanceId: { space: 's'.repeat(44), externalId: 'x' } }, `items[0].instanceId.space ${SPACE_RULE}`],
    ['space missing', { instanceId: { externalId: 'x' } }, `items[0].instanceId.space ${SPACE_RULE}`],
    ['node id empty', { instanceId: { space: 'sp', externalId: '' } }, 'items[0].instanceId.externalId must be a string of 1 to 256 characters without NUL'],
    ['node id 257 chars', { instanceId: { space: 'sp', externalId: 'x'.repeat(257) } }, 'items[0].instanceId.externalId must be a string of 1 to 256 characters without NUL'],
    ['node id with NUL', { instanceId: { space: 'sp', externalId: 'a\u0000b' } }, 'items[0].instanceId.externalId must be a string of 1 to 256 characters without NUL'],
    ['instanceId unknown key', { instanceId: { space: 'sp', externalId: 'x', version: 1 } }, 'items[0].instanceId.version is not a recognized field'],
  ])('rejects an item that is %s', async (_name, item, violation) => {
    const mock = await start();
    const reply = await post(mock, 'files', { items: [item] });
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual(cdfError(400, violations(violation)));
  });

  it('rejects unknown keys, naming each', async () => {
    const mock = await start();
    const reply = await post(mock, 'files', { items: [{ id: 1, name: 'x' }], limit: 5 });
    expect(reply.body).toEqual(cdfError(400, violations('limit is not a recognized field', 'items[0].name is not a recognized field')));
  });

  it('accepts the limits of each rule', async () => {
    const mock = await start();
    const items = [
      { id: 1 },
      { id: 9007199254740991 },
      { externalId: 'x'.repeat(255) },
      { instanceId: { space: 's'.repeat(43), externalId: 'y'.repeat(256) } },
      { instanceId: { space: 'a', externalId: 'report-2024.pdf' } },
      { instanceId: { space: 'a-b_c', externalId: 'with space/and:colon' } },
    ];
    const reply = await post(mock, 'files', { items, ignoreUnknownIds: true });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ items: [] });
  });

  it('reports every violation of a request in item order', async () => {
    const mock = await start();
    const reply = await post(mock, 'files', { items: [{ id: 1 }, { id: 0 }, {}, { externalId: '' }], ignoreUnknownIds: 'yes' });
    expect(reply.body).toEqual(
      cdfError(
        400,
        violations(
          'items[1].id must be an integer between 1 and 9007199254740991',
          'items[2] must have exactly one of id, externalId, instanceId',
          'items[3].externalId must be a string of 1 to 255 characters',
          'ignoreUnknownIds must be a boolean',
        ),
      ),
    );
  });

  it.each([['yes'], [1], [null]])('rejects ignoreUnknownIds %j', async (value) => {
    const mock = await start();
    const reply = await post(mock, 'files', { items: [{ id: 1 }], ignoreUnknownIds: value });
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual(cdfError(400, violations('ignoreUnknownIds must be a boolean')));
  });

  it('accepts aggregatedProperties on assets only, and checks its values', async () => {
    const mock = await start();
    const asset = mock.data.assets[0]!;
    const ok = await post(mock, 'assets', { items: [{ id: asset.id }], aggregatedProperties: ['childCount', 'path', 'depth'] });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ items: [asset] });
    const bad = await post(mock, 'assets', { items: [{ id: asset.id }], aggregatedProperties: ['size'] });
    expect(bad.body).toEqual(cdfError(400, violations('aggregatedProperties must be an array of childCount, path, depth')));
    const files = await post(mock, 'files', { items: [{ id: 1 }], aggregatedProperties: ['depth'] });
    expect(files.body).toEqual(cdfError(400, violations('aggregatedProperties is not a recognized field')));
  });

  it('validates before looking up ids: an invalid request never reports missing ids', async () => {
    const mock = await start();
    const reply = await post(mock, 'files', { items: [{ id: 1 }, { id: -1 }] });
    expect(reply.body).toEqual(cdfError(400, violations('items[1].id must be an integer between 1 and 9007199254740991')));
  });
});
