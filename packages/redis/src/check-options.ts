import { listenForErrors } from './client-errors.js';
import { isCluster, RedisTarget, type RedisConnection, type RedisConnectionOptions } from './redis-client.js';

/** The longest delay a Node timer holds; beyond it Node fires after 1 ms instead. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * An option in milliseconds: an integer a timer can hold.
 * @throws {TypeError} naming the option, the allowed range and the value given.
 */
export function checkMilliseconds(name: string, value: unknown, min: number): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= MAX_TIMER_MS) return value;
  throw new TypeError(
    `\`${name}\` must be an integer of milliseconds from ${min} to ${MAX_TIMER_MS} (what a timer holds), got ${describe(value)}.`,
  );
}

/** @throws {TypeError} unless `value` is a safe integer ≥ 1. */
export function checkPositiveInteger(name: string, value: unknown): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 1) return value;
  throw new TypeError(`\`${name}\` must be an integer ≥ 1, got ${describe(value)}.`);
}

/** @throws {TypeError} unless `value` is an integer from 1 to `max` (`max.name` says what it is). */
export function checkCountUpTo(name: string, value: unknown, max: { value: number; name: string }): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 1 && value <= max.value) return value;
  throw new TypeError(`\`${name}\` must be an integer from 1 up to ${max.name} (${max.value}), got ${describe(value)}.`);
}

/**
 * A string that becomes part of Redis key names. Where `braceFree`, it may not hold `{` or `}`,
 * which would move the hash tag that keeps a scope's keys in one Redis Cluster slot.
 * @throws {TypeError} unless `value` is such a non-empty string.
 */
export function checkKeyName(name: string, value: unknown, braceFree: boolean): string {
  if (typeof value === 'string' && value.length > 0 && !(braceFree && /[{}]/.test(value))) return value;
  const rule = braceFree ? 'a non-empty string without `{` or `}`' : 'a non-empty string';
  throw new TypeError(`\`${name}\` must be ${rule}, got ${describe(value)}.`);
}

/** @throws {TypeError} naming the option and the value, for a connection option out of range. */
export function checkConnection(options: RedisConnectionOptions): RedisConnection {
  const client = new RedisTarget(checkClient('client', options.client));
  const timeoutMs = checkMilliseconds('timeoutMs', options.timeoutMs ?? 100, 1);
  const subscriber = options.subscriber === undefined ? client.pubSub : checkClient('subscriber', options.subscriber);
  listenForErrors(client.given);
  if (options.subscriber !== undefined) listenForErrors(options.subscriber);
  return { client, timeoutMs, subscriber };
}

/**
 * @throws {TypeError} unless `value` looks like a node-redis client (it has `sendCommand`, `on` and
 * `duplicate`) or cluster (it has `sendCommand`, `on` and `masters`).
 */
function checkClient<T extends object>(name: string, value: T): T {
  const client = value as { sendCommand?: unknown; on?: unknown; duplicate?: unknown } | null;
  const connection = typeof client?.sendCommand === 'function' && typeof client.on === 'function';
  if (connection && (typeof client.duplicate === 'function' || isCluster(value as never))) return value;
  throw new TypeError(
    `\`${name}\` must be a node-redis client (from \`createClient()\`) or cluster (from \`createCluster()\`), got ${describe(value)}.`,
  );
}

/** A value as the user would recognise it: strings quoted, `NaN` and `undefined` as such. */
function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'object' && value !== null) return Object.prototype.toString.call(value);
  return typeof value === 'bigint' ? `${value}n` : String(value);
}

/**
 * A positive finite number, such as a rate, at most `max` when given (`maxName` says what it is).
 * @throws {TypeError} naming the option, the rule and the value.
 */
export function checkPositiveNumber(name: string, value: unknown, unit: string, max?: { value: number; name: string }): number {
  if (typeof value === 'number' && value > 0 && Number.isFinite(value) && (max === undefined || value <= max.value)) return value;
  const bound = max === undefined ? '' : ` up to ${max.name} (${max.value})`;
  throw new TypeError(`\`${name}\` must be a positive finite number of ${unit}${bound}, got ${describe(value)}.`);
}
