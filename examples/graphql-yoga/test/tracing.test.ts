import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { assetFilesOf } from '../src/asset-files.js';
import { traceOperation } from '../src/traced-operation.js';
import { at, useMockCdf } from './support.js';

const cdf = useMockCdf({ counts: { files: 300, assets: 60 } });

/** The span's parent's id, or `undefined` for a root. */
const parentId = (span: ReadableSpan) => span.parentSpanContext?.spanId;

describe('tracing a GraphQL operation with @cdf-loader/otel', () => {
  it('every byids request of the operation is a CLIENT span under the operation span, with its resource and identifiers', async () => {
    const fake = cdf();
    const assetFiles = assetFilesOf(fake.data.files);
    const roots = fake.data.assets.filter((asset) => assetFiles(asset.id).length > 0).slice(0, 3);
    expect(roots).toHaveLength(3);

    const { reply, operation, spans } = await traceOperation(
      { baseUrl: fake.url, project: fake.project, assetFiles, retry: { limit: 0 }, logging: false },
      {
        token: fake.token,
        query: 'query($ids: [ID!]!) { assets(ids: $ids) { name files { name assets { name } } } }',
        variables: { ids: roots.map((asset) => String(asset.id)) },
      },
    );

    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ data: { assets: roots.map((asset) => ({ name: asset.name })) } });
    expect(reply.body).not.toHaveProperty('errors');
    expect(operation.name).toBe('graphql operation');
    expect(parentId(operation)).toBeUndefined();
    // Three levels: the assets asked for, their files, the files' other assets.
    expect(fake.log.map((entry) => entry.resource)).toEqual(['assets', 'files', 'assets']);
    const byIds = spans.filter((span) => span !== operation);
    expect(byIds.map((span) => ({ name: span.name, kind: span.kind, status: span.status, traceId: span.spanContext().traceId, parentId: parentId(span), attributes: span.attributes }))).toEqual(
      fake.log.map((entry) => ({
        name: `cdf-loader ${entry.resource} byids`,
        kind: SpanKind.CLIENT,
        status: { code: SpanStatusCode.UNSET },
        traceId: operation.spanContext().traceId,
        parentId: operation.spanContext().spanId,
        attributes: {
          'cdf.project': fake.project,
          'cdf.resource': entry.resource,
          'cdf_loader.request.identifiers': entry.items.length,
          'cdf_loader.request.attempt': 1,
          'http.request.method': 'POST',
          'http.response.status_code': 200,
          'cdf.request_id': entry.requestId,
        },
      })),
    );
    expect(at(fake.log, 0).items).toEqual(roots.map((asset) => ({ id: asset.id })));
  });
});
