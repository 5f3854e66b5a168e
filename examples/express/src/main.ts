import { registerCdfLoaderMetrics } from '@cdf-loader/prometheus';
import { createFilesLoader } from 'cdf-loader';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { createApp } from './app.js';

/** Reads a required environment variable or stops with a message naming it. */
function env(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    console.error(`Set ${name} (see README.md).`);
    process.exit(2);
  }
  return value;
}

const token = env('CDF_TOKEN');
const files = createFilesLoader({ baseUrl: env('CDF_BASE_URL'), project: env('CDF_PROJECT'), getToken: () => token, appId: 'cdf-loader-example-express' });
const port = Number(process.env['PORT'] ?? 3000);
const metrics = new Registry();
collectDefaultMetrics({ register: metrics });
registerCdfLoaderMetrics(metrics);
const server = createApp({ files, metrics }).listen(port, () => console.log(`Listening on http://localhost:${port}`));
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => server.close());
