// The rooms of packages/cdf-loader/src and their doors: which folder may import which
// (docs/architecture.md draws them). A folder imports only the folders listed for it; the top
// files (index.ts, the public face, and the small helpers beside it) are free. The engine never
// reaches the sender, the transport or auth: it is handed a `SendRequest`. The sender sees of the
// engine only that contract (engine/outgoing-request.ts). Adapters and the CLI use the library's
// public API, never its src/, and the library imports none of them, nor the fake CDF.

/** For each folder of packages/cdf-loader/src, the other folders it may import from. */
export const allowedImports = {
  identifiers: ['errors', 'options'],
  errors: ['options'],
  telemetry: [],
  resources: ['identifiers'],
  options: ['auth', 'send', 'shared', 'telemetry', 'errors', 'identifiers'],
  cache: ['identifiers', 'options', 'telemetry'],
  shared: ['identifiers', 'options', 'telemetry'],
  transport: ['auth', 'errors', 'options'],
  auth: ['errors', 'options', 'transport'],
  engine: ['cache', 'errors', 'identifiers', 'options', 'resources', 'shared', 'telemetry'],
  send: ['engine', 'options', 'shared', 'telemetry', 'transport', 'errors'],
  bulk: ['errors', 'options'],
  loader: ['auth', 'bulk', 'cache', 'engine', 'errors', 'identifiers', 'options', 'resources', 'send', 'shared', 'telemetry', 'transport'],
};

const folders = Object.keys(allowedImports);
const LIBRARY_SOURCE = 'packages/cdf-loader/src';
const ADAPTERS = ['redis', 'otel', 'prometheus', 'cli'];

/** The library's src/ reached into, whether by a relative path or the package's name. */
const intoLibrarySource = {
  regex: String.raw`(^cdf-loader/(?!package\.json$))|((^|/)cdf-loader/src(/|$))|(^(\.\./)+(packages/)?cdf-loader(/|$))`,
  message: "Use cdf-loader's public API (`import … from 'cdf-loader'`), not its files.",
};

export const boundaries = [
  ...folders.map((folder) => {
    const forbidden = folders.filter((other) => other !== folder && !allowedImports[folder].includes(other));
    const patterns = [
      {
        regex: String.raw`^\.\./(${forbidden.join('|')})(/|$)`,
        message: `\`${folder}/\` may import only from ${allowedImports[folder].map((name) => `\`${name}/\``).join(', ') || 'no other folder'} and the top files (eslint.boundaries.js).`,
      },
      { regex: '^@cdf-loader/', message: 'The library imports no adapter and never the fake CDF.' },
    ];
    if (folder === 'send') {
      patterns.push({ regex: String.raw`^\.\./engine/(?!outgoing-request\.js$)`, message: 'The sender sees of the engine only its request contract, `engine/outgoing-request.ts`.' });
    }
    return { files: [`${LIBRARY_SOURCE}/${folder}/**/*.ts`], rules: { 'no-restricted-imports': ['error', { patterns }] } };
  }),
  {
    files: [`${LIBRARY_SOURCE}/*.ts`],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ regex: '^@cdf-loader/', message: 'The library imports no adapter and never the fake CDF.' }] }] },
  },
  {
    files: ADAPTERS.map((name) => `packages/${name}/src/**/*.ts`),
    rules: { 'no-restricted-imports': ['error', { patterns: [intoLibrarySource] }] },
  },
];
