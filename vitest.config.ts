import { existsSync, readdirSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

// Every package and example with a `test/` folder is one vitest project.
const projectDirs = ['packages', 'examples'].flatMap((parent) =>
  existsSync(parent) ? readdirSync(parent).map((name) => `${parent}/${name}`) : [],
).filter((dir) => existsSync(`${dir}/test`));

// Workspace packages export `@cdf-loader/source` → `src/*.ts`, so tests run on the sources without a build.
// The rest are Vite's default server conditions, which `conditions` would otherwise replace.
const conditions = ['@cdf-loader/source', 'module', 'node', 'development|production'];

export default defineConfig({
  ssr: { resolve: { conditions: conditions } },
  resolve: { conditions: conditions },
  test: {
    projects: projectDirs.map((dir) => ({
      extends: true,
      test: { name: dir.split('/')[1], include: [`${dir}/test/**/*.test.ts`] },
    })),
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-report.json' },
    testTimeout: 20_000,
  },
});
