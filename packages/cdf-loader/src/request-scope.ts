import DataLoader from 'dataloader';
import type { Batcher } from './batcher.js';
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
 * while the shared loader coalesces and caches across requests.
 */
export function createRequestScope<TItem extends object, TIdentifier>(
  batcher: Batcher<TItem>,
  resource: Resource<TItem, TIdentifier>,
  options: RequestScopeOptions = {},
): DataLoader<TIdentifier, TItem | null, CanonicalKey> {
  const { signal } = options;
  return new DataLoader<TIdentifier, TItem | null, CanonicalKey>(
    (identifiers) => batcher.loadMany(identifiers, signal),
    {
      name: options.name ?? `cdf-loader.${resource.path}`,
      // DataLoader calls this synchronously inside load(), where a throw would escape as an
      // exception; an invalid identifier gets a key of its own and rejects from the batch instead.
      cacheKeyFn: (identifier) => {
        try {
          return identifierKey(identifier, resource.kinds);
        } catch {
          return `invalid#${++invalidKeySequence}`;
        }
      },
    },
  );
}
