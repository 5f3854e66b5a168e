import DataLoader from 'dataloader';
import type { Engine } from './engine.js';
import { type CanonicalKey, identifierKey } from './identifiers.js';
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
  const checked = new Map<unknown, CanonicalKey | Error>();
  return new DataLoader<TIdentifier, TItem | null, CanonicalKey>(
    (identifiers) => {
      const keys = identifiers.map((identifier) => checked.get(identifier) ?? check(identifier, resource));
      checked.clear();
      return engine.loadManyKeyed(identifiers, keys, signal);
    },
    {
      name: options.name ?? `cdf-loader.${resource.path}`,
      batchScheduleFn: (batch) => engine.scheduleBatch(batch),
      // DataLoader calls this synchronously inside load(), where a throw would escape as an
      // exception; an invalid identifier gets a key of its own and rejects from the batch instead.
      cacheKeyFn: (identifier) => {
        const key = check(identifier, resource);
        checked.set(identifier, key);
        return key instanceof Error ? `invalid#${++invalidKeySequence}` : key;
      },
    },
  );
}

/** The identifier's canonical key, or the error its check threw. */
function check(identifier: unknown, resource: Resource<unknown, unknown>): CanonicalKey | Error {
  try {
    return identifierKey(identifier, resource.kinds);
  } catch (error) {
    return error as Error;
  }
}
