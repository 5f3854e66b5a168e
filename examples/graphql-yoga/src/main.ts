import { createServer } from './server.js';

/** Reads a required environment variable or stops with a message naming it. */
function env(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    console.error(`Set ${name} (see README.md).`);
    process.exit(2);
  }
  return value;
}

const port = Number(process.env['PORT'] ?? 4001);
const server = createServer({ baseUrl: env('CDF_BASE_URL'), project: env('CDF_PROJECT'), appId: 'cdf-loader-example-graphql-yoga' });
server.listen(port, () => console.log(`GraphQL on http://localhost:${port}/graphql`));
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => server.close());
