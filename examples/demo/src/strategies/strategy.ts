import type { FileLookup } from '../schema.js';

/** How a strategy reaches CDF: the same for all three, so they are measured alike. */
export interface CdfConnection {
  baseUrl: string;
  project: string;
  getToken: () => Promise<string> | string;
  /** Sent as `x-cdp-app`. */
  appId: string;
  /** The counting fetch of this strategy's run. */
  fetch: typeof globalThis.fetch;
}

/** One way of looking files up from GraphQL resolvers. */
export interface Strategy {
  /** A fresh `FileLookup` for one GraphQL operation (its context). */
  forOperation(): FileLookup;
}

/** The three strategies the demo compares, in the order it runs them. */
export const STRATEGY_NAMES = ['naive', 'sdk-style', 'cdf-loader'] as const;
export type StrategyName = (typeof STRATEGY_NAMES)[number];

/**
 * The strategy the others are measured against, and the one the demo vouches for: a load it
 * fails fails the demo, while the others' failed loads are findings about them.
 */
export const REFERENCE_STRATEGY: StrategyName = 'cdf-loader';

/** One line on what each strategy does, for the report. */
export const STRATEGY_SUMMARIES: Readonly<Record<StrategyName, string>> = {
  naive: 'every File resolver posts its own byids request with one id (N+1), retrying 429s',
  'sdk-style': 'per operation, collect ids like a DataLoader, then send them all in chunks of 1000 at once, no concurrency limit (@cognite/sdk files.retrieve)',
  'cdf-loader': 'one shared createCdfLoaders for the run, files.forRequest() per operation',
};
