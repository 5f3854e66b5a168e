import DataLoader from 'dataloader';
import type { Engine, KeyedIdentifier } from './engine.js';
import { type CanonicalKey, copyIdentifier, type Identifier, identifierKey } from './identifiers.js';
import type { Resource } from './resources.js';

/** Options of `forRequest()`. */
export interface RequestScopeOptions {
  /** Aborts every load of this request scope when the request is gone (client disconnect, timeout). */
  signal?: AbortSignal;
  /**
   * DataLoader's `name`, shown by `@opentelemetry/instrumentation-dataloader`.
   * @default `cdf-loader.<resource>`, such as `cdf-loader.files`
   */
  name?: string;
}

let invalidKeySequence = 0;

/**
 * A DataLoader for one GraphQL request over the shared loader: memoizes within the request,
 * while the shared loader coalesces and caches across requests. Each identifier is checked once,
 * by the key function; the batch function hands the checked identifiers straight to the engine.
 */
export function createRequestScope<TItem extends object, TIdentifier>(
  engine: Engine<TItem>,
  resource: Resource<TItem, TIdentifier>,
  options: RequestScopeOptions = {},
): DataLoader<TIdentifier, TItem | null, CanonicalKey> {
  const { signal } = options;
  // What the key function found for each identifier object DataLoader will hand the batch.
  const checked = new Map<unknown, KeyedIdentifier | Error>();
  return new DataLoader<TIdentifier, TItem | null, CanonicalKey>(
    (identifiers) => {
      const keyed = identifiers.map((identifier) => checked.get(identifier) ?? check(identifier, resource));
      checked.clear();
      return engine.loadManyKeyed(keyed, signal);
    },
    {
      name: options.name ?? `cdf-loader.${resource.path}`,
      batchScheduleFn: (batch) => engine.scheduleBatch(batch),
      // DataLoader calls this synchronously inside load(), where a throw would escape as an
      // exception; an invalid identifier gets a key of its own and rejects from the batch instead.
      cacheKeyFn: (identifier) => {
        const result = check(identifier, resource);
        checked.set(identifier, result);
        return result instanceof Error ? `invalid#${++invalidKeySequence}` : result.key;
      },
    },
  );
}

function check(identifier: unknown, resource: Resource<unknown, unknown>): KeyedIdentifier | Error {
  try {
    const key = identifierKey(identifier, resource.kinds);
    // A copy now: the caller may change its object before the batch runs.
    return { key, identifier: copyIdentifier(identifier as Identifier) };
  } catch (error) {
    return error as Error;
  }
}
