import { generateData } from '@cdf-loader/mock-cdf';
import { describe, expect, it } from 'vitest';
import { at, byIdsRequests, useGraphQLServer, useMockCdf } from './support.js';

const counts = { files: 100, assets: 10 };
// The fake's data is seeded, so its data sets are known before it starts.
const [setA, setB] = generateData({ counts }).dataSetIds;
const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const jwt = (signature: string) => `${base64url({ alg: 'RS256', typ: 'JWT' })}.${base64url({ iss: 'https://login.example', sub: 'alice' })}.${signature}`;
const ALICE = jwt('signed-by-the-identity-provider');
const FORGED = jwt('forged');

const cdf = useMockCdf({
  counts,
  tokens: { 'mock-token': {}, 'token-a': { dataSetIds: [setA ?? 0] }, 'token-b': { dataSetIds: [setB ?? 0] }, [ALICE]: { dataSetIds: [setA ?? 0] } },
});
const query = useGraphQLServer(cdf);

const inSet = (dataSetId: number | undefined) => at(cdf().data.files.filter((file) => file.dataSetId === dataSetId), 0);
const filesQuery = (ids: number[]) => `{ files(ids: [${ids.map((id) => `"${id}"`).join(', ')}]) { id } }`;

describe('each caller acts with their own token', () => {
  it('callers with different tokens see only their own data sets, never from each other’s cache', async () => {
    const [a, b] = [inSet(setA), inSet(setB)];
    const both = filesQuery([a.id, b.id]);

    const replies = [await query(both, { token: 'token-a' }), await query(both, { token: 'token-b' }), await query(both, { token: 'token-a' })];

    expect(replies.map((reply) => reply.body)).toEqual([
      { data: { files: [{ id: String(a.id) }, null] } },
      { data: { files: [null, { id: String(b.id) }] } },
      { data: { files: [{ id: String(a.id) }, null] } },
    ]);
    // B asked CDF itself although A had both ids cached; A's second query came from A's cache.
    expect(byIdsRequests(cdf())).toEqual([
      { resource: 'files', items: [{ id: a.id }, { id: b.id }], token: 'token-a' },
      { resource: 'files', items: [{ id: a.id }, { id: b.id }], token: 'token-b' },
    ]);
  });

  it('a request without a bearer token is a 401 and reaches no loader', async () => {
    const reply = await query('{ file(id: "1") { id } }', { token: null });

    expect(reply).toEqual({
      status: 401,
      body: { errors: [{ message: 'Send the CDF access token as `Authorization: Bearer <token>`.', extensions: { code: 'UNAUTHENTICATED' } }] },
    });
    expect(cdf().log).toEqual([]);
  });

  it('a token CDF refuses is a 401 too', async () => {
    const reply = await query('{ file(id: "1") { id } }', { token: 'not-a-token' });

    expect(reply.status).toBe(401);
    expect(reply.body.errors?.map((error) => error.extensions)).toEqual([{ code: 'UNAUTHENTICATED' }]);
    // cdf-loader asks for a fresh token once after a 401 and replays; the same token fails again.
    expect(cdf().log.map(({ token, status }) => ({ token, status }))).toEqual([
      { token: 'not-a-token', status: 401 },
      { token: 'not-a-token', status: 401 },
    ]);
  });

  it("a forged token claiming a cached user's `sub` gets nothing of theirs", async () => {
    const file = inSet(setA);
    const ask = filesQuery([file.id]);

    const alice = await query(ask, { token: ALICE });
    const forged = await query(ask, { token: FORGED });

    expect(alice.body).toEqual({ data: { files: [{ id: String(file.id) }] } });
    expect(forged.status).toBe(401);
    expect(forged.body.data).toEqual({ files: [null] });
    expect(byIdsRequests(cdf()).map(({ token }) => token)).toEqual([ALICE, FORGED, FORGED]);
  });
});
