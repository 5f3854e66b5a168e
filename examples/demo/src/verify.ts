import type { FileAnswer } from './schema.js';
import { REFERENCE_STRATEGY, type StrategyName } from './strategies/strategy.js';
import { type FileRef, refKey, type Workload } from './workload.js';

/** What one strategy's operations answered, and what was wrong with it. */
export interface Verdict {
  /** Wrong answers: a file other than the one CDF holds, an asset out of place, a reference answered two ways. */
  problems: string[];
  /** One line per operation that got a GraphQL error (a lookup that failed): its first error, and how many more. */
  failures: string[];
  /** Every distinct answer seen per reference (`refKey`), as JSON, failed lookups left out: more than one is a problem. */
  answers: Map<string, Set<string>>;
}

interface GraphQLError {
  message?: unknown;
  path?: unknown;
}

interface GraphQLBody {
  data?: { assets?: { id?: unknown; name?: unknown; files?: unknown[] }[] } | null;
  errors?: GraphQLError[];
}

const pathOf = (error: GraphQLError): string => (Array.isArray(error.path) ? error.path.join('.') : '');

/**
 * Checks every operation's GraphQL answer: the assets asked for in order, one file entry per
 * reference, and — when `oracle` knows the data — each file exactly as CDF holds it. A lookup
 * that failed (a GraphQL error at its path) is a failure of the operation, not a wrong answer:
 * it is counted in `failures` and its `null` is not checked.
 */
export function verifyOperations(
  workload: Workload,
  bodies: readonly unknown[],
  oracle: ((ref: FileRef) => FileAnswer | null) | undefined,
): Verdict {
  const problems: string[] = [];
  const failures: string[] = [];
  const answers = new Map<string, Set<string>>();
  const expected = new Map<string, string>();
  workload.operations.forEach((operation, index) => {
    const where = `operation ${index + 1}`;
    const body = (bodies[index] ?? {}) as GraphQLBody;
    const errors = body.errors ?? [];
    const [first] = errors;
    if (first !== undefined) {
      const more = errors.length > 1 ? ` (and ${errors.length - 1} more errors)` : '';
      failures.push(`${where}: GraphQL error at ${pathOf(first) || '(no path)'}: ${String(first.message)}${more}`);
    }
    const failed = new Set(errors.map(pathOf));
    // An error above a path (the asset, or the whole operation) leaves everything below it unanswered.
    const failedAt = (...path: (string | number)[]): boolean => path.some((_, depth) => failed.has(path.slice(0, depth + 1).join('.')));

    const assets = body.data?.assets;
    if (!Array.isArray(assets) || assets.length !== operation.assetIds.length) {
      if (errors.length === 0) problems.push(`${where}: expected ${operation.assetIds.length} assets, got ${JSON.stringify(assets ?? null)?.slice(0, 200)}`);
      return;
    }
    operation.assetIds.forEach((assetId, assetIndex) => {
      const asset = workload.assets.get(assetId);
      const answer = assets[assetIndex];
      if (asset === undefined || answer?.id !== asset.id || answer.name !== asset.name || answer.files?.length !== asset.fileRefs.length) {
        if (!failedAt('assets', assetIndex)) {
          problems.push(`${where}: asset ${assetIndex + 1} should be ${assetId} with ${asset?.fileRefs.length ?? 0} files, got ${JSON.stringify(answer)?.slice(0, 200)}`);
        }
        return;
      }
      asset.fileRefs.forEach((ref, fileIndex) => {
        if (failedAt('assets', assetIndex, 'files', fileIndex)) return;
        const key = refKey(ref);
        const got = JSON.stringify(answer.files?.[fileIndex] ?? null);
        let seen = answers.get(key);
        if (seen === undefined) answers.set(key, (seen = new Set()));
        seen.add(got);
        if (oracle === undefined) return;
        let want = expected.get(key);
        if (want === undefined) expected.set(key, (want = JSON.stringify(oracle(ref))));
        if (got !== want) problems.push(`${where}: ${assetId} file ${key}: expected ${want}, got ${got}`);
      });
    });
  });
  for (const [key, seen] of answers) {
    if (seen.size > 1) problems.push(`file ${key} got ${seen.size} different answers: ${[...seen].join(' / ')}`);
  }
  return { problems, failures, answers };
}

/**
 * Without an oracle (a real project), correct means the strategies that answered a reference
 * answered it the same way. Returns one problem per reference they disagree on.
 */
export function compareStrategies(verdicts: ReadonlyMap<string, Verdict>): string[] {
  const problems: string[] = [];
  const keys = new Set([...verdicts.values()].flatMap((verdict) => [...verdict.answers.keys()]));
  for (const key of keys) {
    const byStrategy = [...verdicts].flatMap(([name, verdict]) => {
      const seen = verdict.answers.get(key);
      return seen === undefined ? [] : [[name, [...seen].join(' / ')] as const];
    });
    if (new Set(byStrategy.map(([, answer]) => answer)).size > 1) {
      problems.push(`strategies disagree on file ${key}: ${byStrategy.map(([name, answer]) => `${name} → ${answer}`).join('; ')}`);
    }
  }
  return problems;
}

/** A strategy's outcome, as far as the demo's verdict goes. */
export interface StrategyOutcome {
  name: StrategyName;
  problems: readonly string[];
  failures: readonly string[];
}

/**
 * What fails the demo, prefixed with the strategy's name: wrong data from any strategy, the
 * strategies' `disagreements`, and every operation the reference strategy (cdf-loader) failed.
 * The other strategies' failed operations are findings about them — the naive strategy breaks
 * under the load it makes itself — so they are left out.
 */
export function demoProblems(strategies: readonly StrategyOutcome[], disagreements: readonly string[]): string[] {
  return [
    ...strategies.flatMap((strategy) => strategy.problems.map((problem) => `${strategy.name}: ${problem}`)),
    ...strategies.filter((strategy) => strategy.name === REFERENCE_STRATEGY).flatMap((strategy) => strategy.failures.map((failure) => `${strategy.name}: ${failure}`)),
    ...disagreements,
  ];
}
