import type { AssetItem, EventItem, FileItem, SequenceItem, TimeSeriesItem } from '@cdf-loader/mock-cdf';
import type DataLoader from 'dataloader';
import { describe, expectTypeOf, test } from 'vitest';
import {
  type Asset,
  type CanonicalKey,
  type CdfEvent,
  createCdfLoaderPool,
  createCdfLoaders,
  createFilesLoader,
  type FileInfo,
  type Identifier,
  type LoaderOptions,
  type MissingPolicy,
  type Sequence,
  type TimeSeries,
} from '../src/index.js';

// Type-level checks: tsc (the `typecheck` step) fails the build when one is wrong.
const connection: LoaderOptions = { baseUrl: 'https://westeurope-1.cognitedata.com', project: 'p', getToken: () => 't' };

describe('types follow the `missing` option', () => {
  test("by default a load may resolve to null", () => {
    const files = createFilesLoader(connection);
    expectTypeOf(files.load).returns.toEqualTypeOf<Promise<FileInfo | null>>();
    expectTypeOf(files.loadMany).returns.toEqualTypeOf<Promise<(FileInfo | null | Error)[]>>();
    expectTypeOf(files.forRequest()).toEqualTypeOf<DataLoader<Identifier, FileInfo | null, CanonicalKey>>();
  });

  test("with `missing: 'error'` a load resolves to the item itself", () => {
    const files = createFilesLoader({ ...connection, missing: 'error' });
    expectTypeOf(files.load).returns.toEqualTypeOf<Promise<FileInfo>>();
    expectTypeOf(files.forRequest()).toEqualTypeOf<DataLoader<Identifier, FileInfo, CanonicalKey>>();
    const cdf = createCdfLoaders({ ...connection, missing: 'error' });
    expectTypeOf(cdf.assets.load).returns.toEqualTypeOf<Promise<Asset>>();
    const pool = createCdfLoaderPool({ baseUrl: connection.baseUrl, project: 'p', missing: 'error' });
    expectTypeOf(pool.forToken('token').files.load).returns.toEqualTypeOf<Promise<FileInfo>>();
  });

  test('a policy known only at run time keeps null possible', () => {
    const missing = 'error' as MissingPolicy;
    expectTypeOf(createFilesLoader({ ...connection, missing }).load).returns.toEqualTypeOf<Promise<FileInfo | null>>();
  });
});

// The fake declares CDF's items on its own, so that the referee does not lean on the player;
// these keep the two declarations from drifting apart.
test("the fake's items are the library's items", () => {
  expectTypeOf<FileItem>().toExtend<FileInfo>();
  expectTypeOf<AssetItem>().toExtend<Asset>();
  expectTypeOf<EventItem>().toExtend<CdfEvent>();
  expectTypeOf<TimeSeriesItem>().toExtend<TimeSeries>();
  expectTypeOf<SequenceItem>().toExtend<Sequence>();
});
