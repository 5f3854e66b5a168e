import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

// What a user gets from the registry: each publishable package packed the way it will be
// published (`pnpm pack`, which runs `prepack` and rewrites `workspace:` ranges), installed into a
// project outside the workspace, then loaded with `import` and `require` and type-checked.

const execFileAsync = promisify(execFile);
const workspace = fileURLToPath(new URL('../../../', import.meta.url));

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  main?: string;
  types?: string;
  exports?: unknown;
  bin?: string | Record<string, string>;
  sideEffects?: boolean | string[];
  [field: string]: unknown;
}

/** A package users install: every package under packages/ that is not private. */
interface Publishable {
  dir: string;
  manifest: Manifest;
}

const publishable: Publishable[] = readdirSync(join(workspace, 'packages'))
  .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(workspace, 'packages', dir, 'package.json'), 'utf8')) as Manifest }))
  .filter(({ manifest }) => manifest.private !== true);

const NODE_RANGE = '^20.19.0 || >=22.12.0';
/** Planted in each dist/ before packing: `prepack` must build from clean, so it must not ship. */
const STALE_OUTPUT = 'left-over-from-an-earlier-build.js';
/** What may sit at a tarball's top level. */
const ALLOWED_TOP_LEVEL = new Set(['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'dist', 'src', 'bin']);

/** Runs a command; a failure throws with everything it printed, since tsc reports on stdout. */
async function run(command: string, args: string[], cwd: string): Promise<string> {
  try {
    const { stdout } = await execFileAsync(command, args, { cwd, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`\`${command} ${args.join(' ')}\` in ${cwd} failed:\n${stdout}${stderr}`, { cause: error });
  }
}

/** Every file path an exports map names. */
function exportTargets(exports: unknown): string[] {
  if (typeof exports === 'string') return [exports];
  if (typeof exports !== 'object' || exports === null) return [];
  return Object.values(exports).flatMap(exportTargets);
}

/** The files a manifest points at: main, types, every exports target and every bin. */
function entryPoints(manifest: Manifest): string[] {
  const bins = typeof manifest.bin === 'string' ? [manifest.bin] : Object.values(manifest.bin ?? {});
  return [manifest.main, manifest.types, ...exportTargets(manifest.exports), ...bins]
    .filter((path) => path !== undefined)
    .map((path) => path.replace(/^\.\//, ''));
}

function binNames(manifest: Manifest): string[] {
  if (typeof manifest.bin === 'string') return [manifest.name.replace(/^@[^/]+\//, '')];
  return Object.keys(manifest.bin ?? {});
}

/** A consumer that uses both packages' types and code; the same text serves as .mts and .cts. */
const CONSUMER = `import { startMockCdf } from '@cdf-loader/mock-cdf';
import { createFilesLoader, type FileInfo, type Identifier, InvalidIdentifierError, parseIdentifier } from 'cdf-loader';

async function main(): Promise<void> {
  const identifier: Identifier = parseIdentifier({ id: 1 });
  let invalidRejected = false;
  try {
    parseIdentifier({ id: 0 });
  } catch (error) {
    invalidRejected = error instanceof InvalidIdentifierError && error instanceof TypeError;
  }
  const cdf = await startMockCdf({ counts: { files: 3 } });
  try {
    const files = createFilesLoader({ baseUrl: cdf.url, project: cdf.project, getToken: () => cdf.token });
    const known = cdf.data.files[0];
    if (known === undefined) throw new Error('the fake generated no files');
    const [file, unknown] = await Promise.all([files.load({ id: known.id }), files.load({ id: 1 })]);
    const found: FileInfo | null = file;
    // @ts-expect-error a load resolves to null for an unknown id, so the types must say so
    const name: string = file.name;
    const result = { identifier, invalidRejected, found: found?.id === known.id && name === known.name, unknown, requests: cdf.counters.requests };
    console.log(JSON.stringify(result));
  } finally {
    await cdf.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
`;

/** Names every publishable package's types, so tsc resolves and checks each one's declarations. */
const EVERY_PACKAGE_TYPES = [
  ...publishable.map(({ manifest }, index) => `import type * as package${index} from '${manifest.name}';`),
  `export type Packages = [${publishable.map((_, index) => `typeof package${index}`).join(', ')}];`,
  '',
].join('\n');

/** Loads each package named on the command line with require() and import(): one module, with exports. */
const LOAD_EVERY_PACKAGE = `const assert = require('node:assert/strict');
(async () => {
  const loaded = [];
  for (const name of process.argv.slice(2)) {
    const required = require(name);
    assert.ok(Object.keys(required).length > 0, name + ' exports nothing');
    assert.equal(required, await import(name), name + ': require() and import() gave two module instances');
    loaded.push(name);
  }
  console.log(JSON.stringify(loaded));
})().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
`;

const STRICT = { strict: true, exactOptionalPropertyTypes: true, noUncheckedIndexedAccess: true, types: ['node'] };
const NODENEXT_TSCONFIG = {
  compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', ...STRICT, rootDir: 'src', outDir: 'dist' },
  include: ['src'],
};
// TypeScript 6 deprecates node10; users on older compilers still resolve with it.
const NODE10_TSCONFIG = {
  compilerOptions: { target: 'ES2022', module: 'CommonJS', moduleResolution: 'node10', ignoreDeprecations: '6.0', ...STRICT, noEmit: true },
  include: ['node10'],
};

const tsc = join(workspace, 'node_modules', 'typescript', 'bin', 'tsc');

let temporary: string;
let consumer: string;
const tarballs = new Map<string, { path: string; entries: string[]; manifest: Manifest }>();
/** The NodeNext compile, run in setup and judged by its own test, so the run tests do not depend on test order. */
let nodeNextCompile: { passed: boolean; output: string };

beforeAll(async () => {
  temporary = await mkdtemp(join(tmpdir(), 'cdf-loader-packaging-'));
  for (const { dir } of publishable) {
    const packageDir = join(workspace, 'packages', dir);
    await mkdir(join(packageDir, 'dist'), { recursive: true });
    await writeFile(join(packageDir, 'dist', STALE_OUTPUT), '');
    const path = join(temporary, `${dir}.tgz`);
    await run('npx', ['--yes', 'pnpm@10', 'pack', '--out', path], packageDir);
    const entries = (await run('tar', ['tzf', path], temporary))
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => line.replace(/^package\//, ''));
    const manifest = JSON.parse(await run('tar', ['xzf', path, '-O', 'package/package.json'], temporary)) as Manifest;
    tarballs.set(dir, { path, entries, manifest });
  }

  consumer = join(temporary, 'consumer');
  await mkdir(join(consumer, 'src'), { recursive: true });
  await mkdir(join(consumer, 'node10'));
  await writeFile(join(consumer, 'package.json'), JSON.stringify({ name: 'packaging-consumer', version: '0.0.0', private: true }));
  const typesNode = JSON.parse(await readFile(join(workspace, 'node_modules', '@types', 'node', 'package.json'), 'utf8')) as Manifest;
  await run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--ignore-scripts', ...[...tarballs.values()].map(({ path }) => path), `@types/node@${typesNode.version}`],
    consumer,
  );
  await writeFile(join(consumer, 'src', 'consumer.mts'), CONSUMER);
  await writeFile(join(consumer, 'src', 'consumer.cts'), CONSUMER);
  await writeFile(join(consumer, 'src', 'every-package.mts'), EVERY_PACKAGE_TYPES);
  await writeFile(join(consumer, 'src', 'every-package.cts'), EVERY_PACKAGE_TYPES);
  await writeFile(join(consumer, 'node10', 'consumer.ts'), CONSUMER);
  await writeFile(join(consumer, 'tsconfig.json'), JSON.stringify(NODENEXT_TSCONFIG));
  await writeFile(join(consumer, 'tsconfig.node10.json'), JSON.stringify(NODE10_TSCONFIG));
  await writeFile(join(consumer, 'load-every-package.cjs'), LOAD_EVERY_PACKAGE);
  // tsc emits despite type errors, so the run tests below judge the code on its own.
  nodeNextCompile = await run('node', [tsc, '-p', 'tsconfig.json'], consumer).then(
    (output) => ({ passed: true, output }),
    (error: Error) => ({ passed: false, output: error.message }),
  );
}, 240_000);

afterAll(async () => {
  if (temporary !== undefined) await rm(temporary, { recursive: true, force: true });
});

test('the publishable packages are found: cdf-loader, @cdf-loader/cli and @cdf-loader/mock-cdf at least', () => {
  expect(publishable.map(({ manifest }) => manifest.name)).toEqual(expect.arrayContaining(['cdf-loader', '@cdf-loader/cli', '@cdf-loader/mock-cdf']));
});

test('the `cdf-loader` command comes from @cdf-loader/cli: the library has no bin and installs no CLI dependency', () => {
  const library = tarballs.get('cdf-loader')!.manifest;
  expect(library.bin).toBeUndefined();
  expect(Object.keys({ ...(library.dependencies as object | undefined) })).not.toContain('cli-progress');
  expect(tarballs.get('cli')!.manifest.bin).toEqual({ 'cdf-loader': './bin/cdf-loader.js' });
});

test('the root LICENSE is the full Apache License 2.0', () => {
  const license = readFileSync(join(workspace, 'LICENSE'), 'utf8');
  expect(license).toContain('Apache License\n                           Version 2.0, January 2004');
  expect(license).toContain('END OF TERMS AND CONDITIONS');
});

describe.each(publishable)('the tarball of $manifest.name', ({ dir, manifest: source }) => {
  const tarball = () => tarballs.get(dir)!;

  test('holds the built code and types, package.json, README.md, CHANGELOG.md and LICENSE, and only files meant for users', () => {
    const { entries } = tarball();
    expect(entries).toEqual(expect.arrayContaining(['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE', 'dist/index.js', 'dist/index.d.ts']));
    expect(entries.filter((entry) => !ALLOWED_TOP_LEVEL.has(entry.split('/')[0]!))).toEqual([]);
    expect(entries).not.toContain(`dist/${STALE_OUTPUT}`);
  });

  test('has the Apache-2.0 LICENSE of the repository root', async () => {
    const license = await run('tar', ['xzf', tarball().path, '-O', 'package/LICENSE'], temporary);
    expect(license).toBe(readFileSync(join(workspace, 'LICENSE'), 'utf8'));
  });

  test('holds every file its package.json points at', () => {
    const { entries, manifest } = tarball();
    const pointedAt = [...entryPoints(manifest), ...(Array.isArray(manifest.sideEffects) ? manifest.sideEffects : [])];
    expect(pointedAt.filter((path) => !entries.includes(path.replace(/^\.\//, '')))).toEqual([]);
  });

  test('has a package.json with the metadata, ESM entry points for import and require, and no workspace: range', () => {
    const { manifest } = tarball();
    expect(manifest).toMatchObject({
      name: source.name,
      version: source.version,
      license: 'Apache-2.0',
      type: 'module',
      repository: { type: 'git', url: 'git+https://github.com/cdf-loader/cdf-loader.git', directory: `packages/${dir}` },
      homepage: 'https://github.com/cdf-loader/cdf-loader#readme',
      bugs: 'https://github.com/cdf-loader/cdf-loader/issues',
      engines: { node: NODE_RANGE },
      main: './dist/index.js',
      types: './dist/index.d.ts',
    });
    expect(manifest.sideEffects === false || Array.isArray(manifest.sideEffects)).toBe(true);
    // `types` first for TypeScript, `default` for both import and require (Node's require(esm)).
    expect(manifest.exports).toHaveProperty(['.'], { types: './dist/index.d.ts', default: './dist/index.js' });
    expect(Object.keys((manifest.exports as Record<string, object>)['.']!)).toEqual(['types', 'default']);
    const text = JSON.stringify(manifest);
    expect(text).not.toContain('workspace:');
    // The workspace-only condition points at .ts files, which Node will not run from node_modules.
    expect(text).not.toContain('@cdf-loader/source');
  });
});

describe('a project outside the workspace with the tarballs installed', () => {
  test('require() and import() load every package, as one module instance', async () => {
    const names = publishable.map(({ manifest }) => manifest.name);
    const output = await run('node', ['load-every-package.cjs', ...names], consumer);
    expect(JSON.parse(output)).toEqual(names);
  });

  test('a strict NodeNext consumer type-checks, as .mts and .cts, against every package', () => {
    expect(nodeNextCompile.output).toBe('');
    expect(nodeNextCompile.passed).toBe(true);
  });

  test.each(['mjs', 'cjs'])('the consumer compiled to .%s looks files up in the installed fake', async (extension) => {
    const output = await run('node', [join('dist', `consumer.${extension}`)], consumer);
    expect(JSON.parse(output)).toEqual({ identifier: { id: 1 }, invalidRejected: true, found: true, unknown: null, requests: 1 });
  });

  test('Node10 resolution finds the types through `main` and `types`', async () => {
    expect(await run('node', [tsc, '-p', 'tsconfig.node10.json'], consumer)).toBe('');
  }, 60_000);

  test.each(publishable.flatMap(({ manifest }) => binNames(manifest)))('the installed `%s` command answers --help', async (bin) => {
    expect(await run(join(consumer, 'node_modules', '.bin', bin), ['--help'], consumer)).toContain(`Usage: ${bin}`);
  });
});
