// `node lean-main.js <ids file>`: the lean lookup as a process of its own, with the CLI's environment.
import { leanLookup } from './lean-lookup.js';

const { CDF_BASE_URL = '', CDF_PROJECT = '', CDF_TOKEN = '' } = process.env;
await leanLookup(process.argv[2]!, process.stdout, { baseUrl: CDF_BASE_URL, project: CDF_PROJECT, token: CDF_TOKEN });
