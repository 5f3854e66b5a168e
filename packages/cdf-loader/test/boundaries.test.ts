import { ESLint } from 'eslint';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
// @ts-expect-error -- plain JavaScript config beside eslint.config.js, without types
import { allowedImports, boundaries } from '../../../eslint.boundaries.js';

// The folder boundaries of docs/architecture.md are a lint rule (eslint.boundaries.js, part of
// the workspace's `eslint.config.js`): each case is one import the rule must refuse or let pass.

const workspace = fileURLToPath(new URL('../../../', import.meta.url));
const eslint = new ESLint({ cwd: workspace, overrideConfigFile: true, overrideConfig: boundaries as ESLint.Options['overrideConfig'] });

/** The messages of the boundary rule for one import written in `filePath`. */
async function refusals(filePath: string, specifier: string): Promise<string[]> {
  const [result] = await eslint.lintText(`import '${specifier}';\n`, { filePath });
  return result!.messages.map((message) => `${message.ruleId}: ${message.message}`);
}

describe('folder boundaries', () => {
  test('the workspace config applies them', () => {
    expect(readFileSync(`${workspace}eslint.config.js`, 'utf8')).toContain('...boundaries');
  });

  test.each([
    ['packages/cdf-loader/src/engine/engine.ts', '../transport/transport.js'],
    ['packages/cdf-loader/src/engine/engine.ts', '../send/sender.js'],
    ['packages/cdf-loader/src/engine/fan-out.ts', '../auth/token-source.js'],
    ['packages/cdf-loader/src/engine/engine.ts', '../loader/loader.js'],
    ['packages/cdf-loader/src/send/sender.ts', '../engine/engine.js'],
    ['packages/cdf-loader/src/transport/transport.ts', '../engine/chunk.js'],
    ['packages/cdf-loader/src/cache/result-cache.ts', '../shared/shared-tier.js'],
    ['packages/cdf-loader/src/identifiers/identifiers.ts', '../telemetry/telemetry.js'],
    ['packages/cdf-loader/src/loader/loader.ts', '@cdf-loader/mock-cdf'],
    ['packages/cdf-loader/src/index.ts', '@cdf-loader/redis'],
  ])('%s may not import %s', async (filePath, specifier) => {
    const messages = await refusals(filePath, specifier);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/^no-restricted-imports: /);
  });

  test('the engine is told which folders it may use', async () => {
    expect(await refusals('packages/cdf-loader/src/engine/engine.ts', '../transport/transport.js')).toEqual([
      "no-restricted-imports: '../transport/transport.js' import is restricted from being used by a pattern. `engine/` may import only from `cache/`, `errors/`, `identifiers/`, `options/`, `resources/`, `shared/`, `telemetry/` and the top files (eslint.boundaries.js).",
    ]);
  });

  test.each([
    ['packages/redis/src/redis-cache.ts', 'cdf-loader/src/engine/engine.js'],
    ['packages/otel/src/instrument.ts', '../../cdf-loader/src/index.js'],
    ['packages/cli/src/main.ts', '../../../packages/cdf-loader/src/loader/loader.js'],
    ['packages/prometheus/src/metrics.ts', 'cdf-loader/dist/index.js'],
  ])('the adapter file %s may not reach into the library with %s', async (filePath, specifier) => {
    expect(await refusals(filePath, specifier)).toEqual([
      `no-restricted-imports: '${specifier}' import is restricted from being used by a pattern. Use cdf-loader's public API (\`import … from 'cdf-loader'\`), not its files.`,
    ]);
  });

  test.each([
    ['packages/cdf-loader/src/engine/engine.ts', '../cache/result-cache.js'],
    ['packages/cdf-loader/src/engine/engine.ts', '../abortable.js'],
    ['packages/cdf-loader/src/engine/engine.ts', './chunk.js'],
    ['packages/cdf-loader/src/send/sender.ts', '../engine/outgoing-request.js'],
    ['packages/cdf-loader/src/loader/loader.ts', '../transport/transport.js'],
    ['packages/cdf-loader/src/index.ts', './loader/loader.js'],
    ['packages/redis/src/redis-cache.ts', 'cdf-loader'],
    ['packages/redis/src/redis-cache.ts', 'cdf-loader/package.json'],
  ])('%s may import %s', async (filePath, specifier) => {
    expect(await refusals(filePath, specifier)).toEqual([]);
  });

  test('every folder of the library is in the table', () => {
    const source = `${workspace}packages/cdf-loader/src`;
    const folders = readdirSync(source, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
    expect(Object.keys(allowedImports as Record<string, string[]>).sort()).toEqual(folders);
  });
});
