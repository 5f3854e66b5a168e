import { describe, expect, it } from 'vitest';
import type { FileAnswer } from '../src/schema.js';
import { compareStrategies, demoProblems, verifyOperations } from '../src/verify.js';
import { type FileRef, refKey, type Workload } from '../src/workload.js';

const A: FileRef = { id: 1 };
const B: FileRef = { externalId: 'deleted.pdf' };
const C: FileRef = { id: 3 };
const file = (id: number, name: string): FileAnswer => ({ id: String(id), externalId: null, name, mimeType: null, directory: null, lastUpdatedTime: 0 });
const FILES = new Map<string, FileAnswer | null>([
  [refKey(A), file(1, 'a.pdf')],
  [refKey(B), null],
  [refKey(C), file(3, 'c.pdf')],
]);
const oracle = (ref: FileRef) => FILES.get(refKey(ref)) ?? null;

const WORKLOAD: Workload = {
  assets: new Map([
    ['asset-1', { id: 'asset-1', name: 'Asset 1', fileRefs: [A, B] }],
    ['asset-2', { id: 'asset-2', name: 'Asset 2', fileRefs: [C] }],
  ]),
  operations: [{ assetIds: ['asset-1'] }, { assetIds: ['asset-1', 'asset-2'] }],
  loads: 5,
  uniqueKeys: 3,
  uniqueKeysPerOperation: [2, 3],
};
const FETCH_FAILED = 'POST http://127.0.0.1:1/api/v1/projects/p/files/byids got no answer: fetch failed (other side closed)';
const asset1 = (files: unknown[]) => ({ id: 'asset-1', name: 'Asset 1', files });
const asset2 = (files: unknown[]) => ({ id: 'asset-2', name: 'Asset 2', files });

describe('checking the answers', () => {
  it('counts a lookup that failed as a failed operation, not as wrong data, and still finds a wrong file', () => {
    const verdict = verifyOperations(
      WORKLOAD,
      [
        { data: { assets: [asset1([file(1, 'a.pdf'), null])] } },
        {
          data: { assets: [asset1([null, null]), asset2([file(3, 'renamed.pdf')])] },
          errors: [{ message: FETCH_FAILED, path: ['assets', 0, 'files', 0] }],
        },
      ],
      oracle,
    );

    expect(verdict.failures).toEqual([`operation 2: GraphQL error at assets.0.files.0: ${FETCH_FAILED}`]);
    expect(verdict.problems).toEqual([`operation 2: asset-2 file id:3: expected ${JSON.stringify(file(3, 'c.pdf'))}, got ${JSON.stringify(file(3, 'renamed.pdf'))}`]);
    // The failed lookup's null is no answer: file 1 was answered once, the same way.
    expect(verdict.answers.get(refKey(A))).toEqual(new Set([JSON.stringify(file(1, 'a.pdf'))]));
  });

  it('an operation that failed as a whole is one failure with its error count; missing data without an error is wrong data', () => {
    const verdict = verifyOperations(
      WORKLOAD,
      [
        { data: null, errors: [{ message: 'too many requests', path: ['assets'] }, { message: 'again', path: ['assets'] }] },
        { data: { assets: [asset1([file(1, 'a.pdf'), null])] } },
      ],
      oracle,
    );

    expect(verdict.failures).toEqual(['operation 1: GraphQL error at assets: too many requests (and 1 more errors)']);
    expect(verdict.problems).toEqual([`operation 2: expected 2 assets, got [${JSON.stringify(asset1([file(1, 'a.pdf'), null]))}]`]);
  });

  it('without an oracle, only strategies that answered a reference are compared', () => {
    const answered = verifyOperations(WORKLOAD, [{ data: { assets: [asset1([file(1, 'a.pdf'), null])] } }, { data: { assets: [] } }], undefined);
    const failed = verifyOperations(
      WORKLOAD,
      [{ data: { assets: [asset1([null, null])] }, errors: [{ message: FETCH_FAILED, path: ['assets', 0, 'files', 0] }] }, { data: { assets: [] } }],
      undefined,
    );
    const differs = verifyOperations(WORKLOAD, [{ data: { assets: [asset1([file(1, 'other.pdf'), null])] } }, { data: { assets: [] } }], undefined);

    expect(compareStrategies(new Map([['naive', failed], ['cdf-loader', answered]]))).toEqual([]);
    // Both answered deleted.pdf with null: they agree on it.
    expect(compareStrategies(new Map([['naive', differs], ['cdf-loader', answered]]))).toEqual([
      `strategies disagree on file id:1: naive → ${JSON.stringify(file(1, 'other.pdf'))}; cdf-loader → ${JSON.stringify(file(1, 'a.pdf'))}`,
    ]);
  });
});

describe('what fails the demo', () => {
  const clean = { problems: [], failures: [] };

  it("another strategy's failed operations do not: they are findings about it", () => {
    const naive = { name: 'naive' as const, problems: [], failures: ['operation 29: GraphQL error at assets.4.files.3: fetch failed'] };
    expect(demoProblems([naive, { name: 'sdk-style', ...clean }, { name: 'cdf-loader', ...clean }], [])).toEqual([]);
  });

  it('an operation cdf-loader failed does, as does wrong data from any strategy, or a disagreement', () => {
    const loader = { name: 'cdf-loader' as const, problems: [], failures: ['operation 3: GraphQL error at assets.0.files.0: CDF files/byids failed with 500'] };
    const sdk = { name: 'sdk-style' as const, problems: ['operation 1: asset-1 file id:1: expected …, got …'], failures: [] };
    expect(demoProblems([{ name: 'naive', ...clean }, sdk, loader], ['strategies disagree on file id:7: …'])).toEqual([
      'sdk-style: operation 1: asset-1 file id:1: expected …, got …',
      'cdf-loader: operation 3: GraphQL error at assets.0.files.0: CDF files/byids failed with 500',
      'strategies disagree on file id:7: …',
    ]);
  });
});
