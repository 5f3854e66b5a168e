import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

// Every package and example with a `test/` folder is one vitest project.
const projectDirs = ['packages', 'examples'].flatMap((parent) =>
  existsSync(parent) ? readdirSync(parent).map((name) => `${parent}/${name}`) : [],
).filter((dir) => existsSync(`${dir}/test`));

// Workspace packages export `@cdf-loader/source` → `src/*.ts`, so tests run on the sources without a build.
// The rest are Vite's default server conditions but the bundlers' `module`: vitest hands these to
// Node as `--conditions`, and `module` leads Node to builds it cannot load (@opentelemetry's).
const conditions = ['@cdf-loader/source', 'node', 'development|production'];

// graphql 16 ships CommonJS (`main`) and ESM (`module`). Node gives graphql-yoga the CommonJS
// copy, so tests must get that one too, or `instanceof GraphQLError` fails across the two.
const graphqlCommonJs = createRequire(new URL('packages/cdf-loader/package.json', import.meta.url)).resolve('graphql');
const alias = [{ find: /^graphql$/, replacement: graphqlCommonJs }];

export default defineConfig({
  ssr: { resolve: { conditions } },
  resolve: { conditions, alias },
  test: {
    projects: projectDirs.map((dir) => ({
      extends: true,
      test: {
        name: dir.split('/')[1],
        include: [`${dir}/test/**/*.test.ts`],
        // The bench's isolated runs fork its built scripts, which load the packages' dist/; the
        // packaging test rebuilds those dist/ folders from clean (`pnpm pack`). The bench runs
        // after every other project, so it never meets a dist/ half built.
        ...(dir === 'packages/bench' && { sequence: { groupOrder: 1 } }),
      },
    })),
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-report.json' },
    testTimeout: 20_000,
  },
});
