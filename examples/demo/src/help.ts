import { DEFAULT_CDF_OPERATIONS, DEFAULT_MOCK_OPERATIONS, DEFAULT_MOCK_TARGET, MAX_REPLICAS } from './config.js';

/** What `pnpm demo --help` prints. */
export const HELP = `Usage: pnpm demo [--operations N] [--ids 1,2,3 | --ids-file PATH | --replicas N | --outage | --links N]

Runs a GraphQL workload through graphql-yoga three ways — naive per-reference byids requests,
@cognite/sdk-style per-operation retrieval, and cdf-loader — and prints what each cost.

Without CDF_* variables it starts a fake CDF (${DEFAULT_MOCK_TARGET.files.toLocaleString('en-US')} files, ${DEFAULT_MOCK_TARGET.latency.fixedMs} ms + 0–${DEFAULT_MOCK_TARGET.latency.jitterMs} ms latency,
429 beyond ${DEFAULT_MOCK_TARGET.concurrencyLimit} concurrent requests) and checks every answer against its data.

Against a real project, set CDF_BASE_URL, CDF_PROJECT and either CDF_TOKEN or the OAuth client
credentials CDF_TOKEN_URL, CDF_CLIENT_ID, CDF_CLIENT_SECRET (and CDF_SCOPES, default
'<CDF_BASE_URL>/.default'), and give the file ids to look up.

Options:
  --operations N    GraphQL operations to run (default ${DEFAULT_MOCK_OPERATIONS} against the fake, ${DEFAULT_CDF_OPERATIONS} against CDF)
  --ids 1,2,3       file ids to look up in the real project
  --ids-file PATH   file ids, one per line or as a JSON array
  --replicas N      run the workload from N replica processes (2 to ${MAX_REPLICAS}) against the fake, once each
                    on its own and once sharing Redis through @cdf-loader/redis: REDIS_URL, or a
                    private redis-server started on a free port when one is installed
  --outage          run cdf-loader against the fake, take the fake down (503 to every request)
                    mid-run, and show the pages still answered from cache
                    (cache.staleIfErrorMs), beside the same run without it
  --links N         instead: what a page of N files' download URLs (files/downloadlink) costs against the
                    fake, a request per resolver, one request with every id, and with cdf-loader's fileLinks
  -h, --help        show this help
`;
