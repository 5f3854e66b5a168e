import { checkKnownKeys, checkObject, checkPositiveNumber } from './check.js';
import { describeValue } from './describe-value.js';
import type { SharedRate } from '../shared/shared-rate.js';

/** The loader's own request rate (`requestRate`). */
export interface RequestRateOptions {
  /**
   * Most requests a second this loader sends, retries included; requests are spaced at least
   * `1000 / perSecond` ms apart. A positive number (fractions allowed). Required.
   */
  perSecond: number;
}

/** `requestRate`: its `perSecond`, or undefined for none. */
export function checkRequestRate(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const rate = checkObject('requestRate', value, ' such as `{ perSecond: 10 }`');
  checkKnownKeys('requestRate.', rate, ['perSecond']);
  return checkPositiveNumber('requestRate.perSecond', rate.perSecond, 'requests per second');
}

/** `sharedRate`: anything with a `reserve` and positive rates, such as `redisRate(…)`. */
export function checkSharedRate(value: unknown): SharedRate | undefined {
  if (value === undefined) return undefined;
  const shared = value as Partial<SharedRate> | null;
  const positive = (rate: unknown): boolean => typeof rate === 'number' && rate > 0 && Number.isFinite(rate);
  if (typeof shared !== 'object' || shared === null || typeof shared.reserve !== 'function' || !positive(shared.perSecond) || !positive(shared.fallbackPerSecond)) {
    throw new TypeError(
      `\`sharedRate\` must be a shared request rate (such as \`redisRate(…)\` from @cdf-loader/redis) with \`perSecond\`, \`fallbackPerSecond\` and \`reserve\`, got ${describeValue(value)}.`,
    );
  }
  return value as SharedRate;
}
