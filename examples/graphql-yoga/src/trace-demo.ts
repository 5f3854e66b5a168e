import { startMockCdf } from '@cdf-loader/mock-cdf';
import { type HrTime, SpanKind } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { assetFilesOf } from './asset-files.js';
import { traceOperation } from './traced-operation.js';

// One GraphQL operation through this example's server, traced with @cdf-loader/otel, against
// the fake CDF: prints the trace as a tree. `node examples/graphql-yoga/dist/trace-demo.js`.

/** The attributes shown after each span, when it has them. */
const SHOWN_ATTRIBUTES = ['cdf_loader.request.identifiers', 'cdf_loader.request.attempt', 'http.response.status_code', 'cdf.request_id', 'error.type'];
const QUERY = 'query($ids: [ID!]!) { assets(ids: $ids) { name files { name assets { name } } } }';

const milliseconds = ([seconds, nanoseconds]: HrTime): number => seconds * 1000 + nanoseconds / 1e6;

/** One line per span, children under their parent in start order, with start offset, duration and `SHOWN_ATTRIBUTES`. */
function spanTree(spans: readonly ReadableSpan[]): string {
  const ids = new Set(spans.map((span) => span.spanContext().spanId));
  const children = new Map<string | undefined, ReadableSpan[]>();
  for (const span of [...spans].sort((a, b) => milliseconds(a.startTime) - milliseconds(b.startTime))) {
    const parent = span.parentSpanContext?.spanId;
    const key = parent !== undefined && ids.has(parent) ? parent : undefined;
    children.set(key, [...(children.get(key) ?? []), span]);
  }
  const origin = Math.min(...spans.map((span) => milliseconds(span.startTime)));
  const rows: { label: string; span: ReadableSpan }[] = [];
  // A root has no branch; below it each level adds `├─ ` before a span, or `└─ ` before the last.
  const walk = (parent: string | undefined, prefix: string): void => {
    const level = children.get(parent) ?? [];
    level.forEach((span, index) => {
      const last = index === level.length - 1;
      const branch = parent === undefined ? '' : last ? '└─ ' : '├─ ';
      rows.push({ label: `${prefix}${branch}${span.name} (${SpanKind[span.kind]})`, span });
      walk(span.spanContext().spanId, parent === undefined ? '' : prefix + (last ? '   ' : '│  '));
    });
  };
  walk(undefined, '');
  const width = Math.max(...rows.map((row) => row.label.length));
  return rows
    .map(({ label, span }) => {
      const start = `+${(milliseconds(span.startTime) - origin).toFixed(1)} ms`.padStart(10);
      const duration = `${milliseconds(span.duration).toFixed(1)} ms`.padStart(9);
      const shown = SHOWN_ATTRIBUTES.filter((name) => span.attributes[name] !== undefined).map((name) => `${name}=${String(span.attributes[name])}`);
      return [label.padEnd(width), start, duration, ...shown].join('  ').trimEnd();
    })
    .join('\n');
}

const fake = await startMockCdf({ counts: { files: 300, assets: 60 }, latency: { fixedMs: 20, jitterMs: 10 } });
try {
  const assetFiles = assetFilesOf(fake.data.files);
  const ids = fake.data.assets
    .filter((asset) => assetFiles(asset.id).length > 0)
    .slice(0, 3)
    .map((asset) => String(asset.id));
  console.log(`One GraphQL operation through graphql-yoga and cdf-loader, traced with @cdf-loader/otel,`);
  console.log(`against the fake CDF (${fake.url}, 20–30 ms per request):\n`);
  console.log(`  ${QUERY}`);
  console.log(`  variables: ${JSON.stringify({ ids })}\n`);

  const { reply, spans } = await traceOperation(
    { baseUrl: fake.url, project: fake.project, assetFiles, logging: false },
    { token: fake.token, query: QUERY, variables: { ids } },
  );

  if (reply.status !== 200 || (reply.body as { errors?: unknown }).errors !== undefined) {
    console.error(`The operation failed (HTTP ${reply.status}): ${JSON.stringify(reply.body)}`);
    process.exitCode = 1;
  }
  console.log(spanTree(spans));
  const byIdsSpans = spans.filter((span) => span.kind === SpanKind.CLIENT).length;
  console.log(`\n${byIdsSpans} byids spans; the fake CDF answered ${fake.counters.requests} byids requests.`);
} finally {
  await fake.close();
}
