/**
 * The options of the loaders that reach past byids (download links, data-modeling instances),
 * checked once.
 */
import { checkBoolean, checkKnownKeys, checkMilliseconds, checkObject } from './check.js';
import { describeValue } from './describe-value.js';
import { type InstanceSource, MAX_SOURCES } from '../identifiers/instance-identifiers.js';
import { spaceProblem } from '../identifiers/identifiers.js';

/** Options of `createFileLinksLoader` (and `fileLinks` of `createCdfLoaders`). */
export interface FileLinksOptions {
  /**
   * Ask CDF for links valid 1 hour instead of 30 seconds (its `extendedExpiration`).
   * @default false
   */
  extendedExpiration?: boolean;
  /**
   * A cached link is handed out only while more than this is left of its life, in milliseconds;
   * less than the link's life (30 s, or 1 h with `extendedExpiration`).
   * @default 5_000
   */
  expiryMarginMs?: number;
}

/** Options of `createInstancesLoader` (and `instances` of `createCdfLoaders`). */
export interface InstancesOptions {
  /**
   * Views whose properties come with every instance, sent as `sources` with every request: at
   * most 10 distinct views (CDF's limit). Without them instances come without properties.
   * @default none
   */
  sources?: readonly InstanceSource[];
}

/** How long CDF's download links are valid, in milliseconds (CDF-API.md, "More endpoints and limits"). */
export const LINK_LIFETIME_MS = 30_000;
export const EXTENDED_LINK_LIFETIME_MS = 3_600_000;

export interface CheckedFileLinksOptions {
  extendedExpiration: boolean;
  /** The life of a link, in milliseconds. */
  lifetimeMs: number;
  expiryMarginMs: number;
}

export const FILE_LINKS_KEYS = ['extendedExpiration', 'expiryMarginMs'] as const satisfies readonly (keyof FileLinksOptions)[];
export const INSTANCES_KEYS = ['sources'] as const satisfies readonly (keyof InstancesOptions)[];

/**
 * @param where The options' prefix in messages: `''`, or `fileLinks.` inside `createCdfLoaders`.
 * @throws {TypeError} naming the option and the value.
 */
export function checkFileLinksOptions(options: FileLinksOptions, where: string): CheckedFileLinksOptions {
  const extendedExpiration = checkBoolean(`${where}extendedExpiration`, options.extendedExpiration ?? false);
  const lifetimeMs = extendedExpiration ? EXTENDED_LINK_LIFETIME_MS : LINK_LIFETIME_MS;
  const expiryMarginMs = checkMilliseconds(`${where}expiryMarginMs`, options.expiryMarginMs ?? 5_000, 0, false);
  if (expiryMarginMs >= lifetimeMs) {
    throw new TypeError(
      `\`${where}expiryMarginMs\` must be less than a link's life (${lifetimeMs} ms${extendedExpiration ? ' with `extendedExpiration`' : ''}), got ${describeValue(expiryMarginMs)}.`,
    );
  }
  return { extendedExpiration, lifetimeMs, expiryMarginMs };
}

/**
 * Checks `sources`: each `{ source: { type: 'view', space, externalId, version } }`, at most
 * `MAX_SOURCES` distinct views; returns plain copies, so what is sent is what was checked.
 * @throws {TypeError} naming the option, the entry and the value.
 */
export function checkInstancesOptions(options: InstancesOptions, where: string): { sources: InstanceSource[] | undefined } {
  const { sources } = options;
  if (sources === undefined) return { sources: undefined };
  const name = `${where}sources`;
  if (!Array.isArray(sources)) throw new TypeError(`\`${name}\` must be an array of \`{ source: { type: 'view', space, externalId, version } }\`, got ${describeValue(sources)}.`);
  const copies = sources.map((entry: unknown, index) => checkSource(`${name}[${index}]`, entry));
  const distinct = new Set(copies.map(({ source }) => JSON.stringify([source.space, source.externalId, source.version])));
  if (distinct.size > MAX_SOURCES) {
    throw new TypeError(`\`${name}\` may name at most ${MAX_SOURCES} distinct views (CDF's limit), got ${distinct.size}.`);
  }
  return { sources: copies.length === 0 ? undefined : copies };
}

function checkSource(name: string, entry: unknown): InstanceSource {
  checkKnownKeys(`${name}.`, checkObject(name, entry), ['source']);
  const view = checkObject(`${name}.source`, (entry as { source?: unknown }).source);
  checkKnownKeys(`${name}.source.`, view, ['type', 'space', 'externalId', 'version']);
  if (view.type !== 'view') throw new TypeError(`\`${name}.source.type\` must be 'view', got ${describeValue(view.type)}.`);
  const problem = spaceProblem(view.space, `${name}.source.space`);
  if (problem !== undefined) throw new TypeError(`${problem}.`);
  for (const field of ['externalId', 'version'] as const) {
    const value = view[field];
    if (typeof value !== 'string' || value.length === 0 || value.length > 255) {
      throw new TypeError(`\`${name}.source.${field}\` must be a string of 1 to 255 characters, got ${describeValue(value)}.`);
    }
  }
  return { source: { type: 'view', space: view.space as string, externalId: view.externalId as string, version: view.version as string } };
}
