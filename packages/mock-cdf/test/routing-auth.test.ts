import { describe, expect, it } from 'vitest';
import { DEFAULT_PROJECT, DEFAULT_TOKEN } from '../src/index.js';
import { cdfError, post, start } from './helpers.js';

describe('routing', () => {
  it('serves the default project with the default token', async () => {
    const mock = await start();
    expect(mock.project).toBe(DEFAULT_PROJECT);
    expect(mock.token).toBe(DEFAULT_TOKEN);
    expect(mock.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await post(mock, 'files', { items: [{ id: mock.data.files[0]!.id }] })).status).toBe(200);
  });

  it('answers 404 for another project', async () => {
    const mock = await start({ project: 'my-project' });
    const reply = await post(mock, 'files', { items: [{ id: 1 }] }, { project: 'other-project' });
    expect(reply.status).toBe(404);
    expect(reply.body).toEqual(cdfError(404, "Project 'other-project' not found"));
    expect((await post(mock, 'files', { items: [{ id: mock.data.files[0]!.id }] })).status).toBe(200);
  });

  it.each([['files/list'], ['datapoints'], ['file']])('answers 404 for an unknown path: %s', async (resource) => {
    const mock = await start();
    const reply = await post(mock, resource, { items: [{ id: 1 }] });
    expect(reply.status).toBe(404);
    expect(reply.body).toEqual(cdfError(404, 'Not Found'));
  });

  it('answers 404 for another method on a byids path', async () => {
    const mock = await start();
    const reply = await post(mock, 'files', undefined, { method: 'GET' });
    expect(reply.status).toBe(404);
    expect(reply.body).toEqual(cdfError(404, 'Not Found'));
    expect(reply.headers.get('x-request-id')).toBeTruthy();
  });

  it('ignores a query string', async () => {
    const mock = await start();
    const file = mock.data.files[0]!;
    const response = await fetch(`${mock.url}/api/v1/projects/${mock.project}/files/byids?x=1`, {
      method: 'POST',
      headers: { authorization: `Bearer ${mock.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ items: [{ id: file.id }] }),
    });
    expect(await response.json()).toEqual({ items: [file] });
  });
});

describe('auth', () => {
  it.each([
    ['no authorization header', null],
    ['an unknown token', 'stolen'],
  ])('answers 401 for %s, on any path, before routing', async (_name, token) => {
    const mock = await start();
    for (const [resource, project] of [['files', mock.project], ['nowhere', mock.project], ['files', 'other']] as const) {
      const reply = await post(mock, resource, { items: [{ id: 1 }] }, { token, project });
      expect(reply.status).toBe(401);
      expect(reply.body).toEqual(cdfError(401, 'Unauthorized'));
    }
  });

  it('answers 401 for a non-bearer authorization', async () => {
    const mock = await start();
    const reply = await post(mock, 'files', { items: [{ id: 1 }] }, { token: null, headers: { authorization: `Basic ${mock.token}` } });
    expect(reply.status).toBe(401);
  });

  it('accepts only the given tokens; the first is `token`', async () => {
    const mock = await start({ tokens: { alice: {}, bob: {} } });
    expect(mock.token).toBe('alice');
    const items = { items: [{ id: mock.data.files[0]!.id }] };
    expect((await post(mock, 'files', items, { token: 'bob' })).status).toBe(200);
    expect((await post(mock, 'files', items, { token: DEFAULT_TOKEN })).status).toBe(401);
  });

  it('shows a token only the items of its data sets; others behave as unknown ids', async () => {
    const base = await start();
    const [allowed, hidden] = base.data.dataSetIds;
    const mock = await start({ tokens: { all: {}, limited: { dataSetIds: [allowed!] } } });
    const visible = mock.data.files.find((file) => file.dataSetId === allowed)!;
    const invisible = mock.data.files.find((file) => file.dataSetId === hidden)!;
    const orphan = mock.data.files.find((file) => file.dataSetId === undefined)!;
    const items = [{ id: visible.id }, { id: invisible.id }, { externalId: orphan.externalId ?? 'none' }];

    expect((await post(mock, 'files', { items, ignoreUnknownIds: true }, { token: 'limited' })).body).toEqual({ items: [visible] });
    expect((await post(mock, 'files', { items }, { token: 'limited' })).body).toEqual(cdfError(400, 'Files ids not found', { missing: items.slice(1) }));
    expect((await post(mock, 'files', { items: items.slice(0, 2) }, { token: 'all' })).body).toEqual({ items: [visible, invisible] });

    expect(mock.data.find('files', { id: invisible.id }, { dataSetIds: [allowed!] })).toBeUndefined();
    expect(mock.data.find('files', { id: invisible.id })).toBe(invisible);
  });
});
