import type { FileAnswer } from './schema.js';
import { type FileRef, refKey, type Workload } from './workload.js';

/** What one strategy's operations answered, and what was wrong with it. */
export interface Verdict {
  problems: string[];
  /** Every distinct answer seen per reference (`refKey`), as JSON: more than one is a problem. */
  answers: Map<string, Set<string>>;
}

interface GraphQLBody {
  data?: { assets?: { id?: unknown; name?: unknown; files?: unknown[] }[] } | null;
  errors?: { message?: unknown; path?: unknown }[];
}

/**
 * Checks every operation's GraphQL answer: no errors, the assets asked for in order, one file
 * entry per reference, and — when `oracle` knows the data — each file exactly as CDF holds it.
 */
export function verifyOperations(
  workload: Workload,
  bodies: readonly unknown[],
  oracle: ((ref: FileRef) => FileAnswer | null) | undefined,
): Verdict {
  const problems: string[] = [];
  const answers = new Map<string, Set<string>>();
  const expected = new Map<string, string>();
  workload.operations.forEach((operation, index) => {
    const where = `operation ${index + 1}`;
    const body = (bodies[index] ?? {}) as GraphQLBody;
    for (const error of body.errors ?? []) {
      problems.push(`${where}: GraphQL error at ${Array.isArray(error.path) ? error.path.join('.') : '(no path)'}: ${String(error.message)}`);
    }
    const assets = body.data?.assets;
    if (!Array.isArray(assets) || assets.length !== operation.assetIds.length) {
      problems.push(`${where}: expected ${operation.assetIds.length} assets, got ${JSON.stringify(assets ?? null)?.slice(0, 200)}`);
      return;
    }
    operation.assetIds.forEach((assetId, assetIndex) => {
      const asset = workload.assets.get(assetId);
      const answer = assets[assetIndex];
      if (asset === undefined || answer?.id !== asset.id || answer.name !== asset.name || answer.files?.length !== asset.fileRefs.length) {
        problems.push(`${where}: asset ${assetIndex + 1} should be ${assetId} with ${asset?.fileRefs.length ?? 0} files, got ${JSON.stringify(answer)?.slice(0, 200)}`);
        return;
      }
      asset.fileRefs.forEach((ref, fileIndex) => {
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
  return { problems, answers };
}

/**
 * Without an oracle (a real project), correct means every strategy answered each reference the
 * same way. Returns one problem per reference they disagree on.
 */
export function compareStrategies(verdicts: ReadonlyMap<string, Verdict>): string[] {
  const problems: string[] = [];
  const keys = new Set([...verdicts.values()].flatMap((verdict) => [...verdict.answers.keys()]));
  for (const key of keys) {
    const byStrategy = [...verdicts].map(([name, verdict]) => [name, [...(verdict.answers.get(key) ?? ['(not asked)'])].join(' / ')] as const);
    if (new Set(byStrategy.map(([, answer]) => answer)).size > 1) {
      problems.push(`strategies disagree on file ${key}: ${byStrategy.map(([name, answer]) => `${name} → ${answer}`).join('; ')}`);
    }
  }
  return problems;
}
