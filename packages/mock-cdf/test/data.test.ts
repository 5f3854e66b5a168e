import { describe, expect, it } from 'vitest';
import { DEFAULT_COUNTS, generateData, RESOURCE_NAMES } from '../src/index.js';

describe('generated data', () => {
  it('is identical for the same seed and counts, and differs for another seed', () => {
    const a = generateData({ seed: 11 });
    const b = generateData({ seed: 11 });
    const c = generateData({ seed: 12 });
    for (const resource of RESOURCE_NAMES) {
      expect(b[resource]).toEqual(a[resource]);
      expect(c[resource]).not.toEqual(a[resource]);
    }
    expect(b.dataSetIds).toEqual(a.dataSetIds);
  });

  it('has the default counts, and any other', () => {
    const data = generateData({});
    for (const resource of RESOURCE_NAMES) expect(data[resource]).toHaveLength(DEFAULT_COUNTS[resource]);
    expect(DEFAULT_COUNTS).toEqual({ files: 1000, assets: 200, events: 200, timeseries: 200, sequences: 200 });
    const small = generateData({ counts: { files: 3, assets: 0 } });
    expect(small.files).toHaveLength(3);
    expect(small.assets).toHaveLength(0);
    expect(small.files.every((file) => file.assetIds === undefined)).toBe(true);
    expect(() => generateData({ counts: { files: -1 } })).toThrow('counts.files must be a non-negative integer, got -1');
  });

  it('uses unique safe ids from CDF range, and unique externalIds and instanceIds', () => {
    const data = generateData({ counts: { files: 5000 } });
    for (const resource of RESOURCE_NAMES) {
      const items = data[resource] as { id: number; externalId?: string; instanceId?: { space: string; externalId: string } }[];
      const ids = items.map((item) => item.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.every((id) => Number.isSafeInteger(id) && id >= 1e12)).toBe(true);
      const externalIds = items.flatMap((item) => (item.externalId === undefined ? [] : [item.externalId]));
      expect(new Set(externalIds).size).toBe(externalIds.length);
      const instanceIds = items.flatMap((item) => (item.instanceId ? [`${item.instanceId.space}/${item.instanceId.externalId}`] : []));
      expect(new Set(instanceIds).size).toBe(instanceIds.length);
    }
  });

  it('gives files a realistic mix of identifiers and fields', () => {
    const { files, assets, dataSetIds } = generateData({ counts: { files: 5000 } });
    const share = (test: (file: (typeof files)[number]) => boolean): number => files.filter(test).length / files.length;
    expect(share((f) => f.externalId !== undefined)).toBeCloseTo(0.7, 1);
    expect(share((f) => f.instanceId !== undefined)).toBeCloseTo(0.3, 1);
    expect(share((f) => f.externalId !== undefined && f.instanceId !== undefined)).toBeGreaterThan(0.1);
    expect(files.some((f) => /[./-]/.test(f.externalId ?? ''))).toBe(true);
    expect(files.some((f) => /[.-]/.test(f.instanceId?.externalId ?? ''))).toBe(true);
    expect(share((f) => f.metadata !== undefined)).toBeGreaterThan(0.7);
    expect(share((f) => f.labels !== undefined)).toBeGreaterThan(0.1);
    expect(share((f) => f.geoLocation !== undefined)).toBeGreaterThan(0.05);
    expect(dataSetIds.length).toBeGreaterThanOrEqual(3);
    expect(dataSetIds.length).toBeLessThanOrEqual(5);
    const assetIds = new Set(assets.map((asset) => asset.id));
    for (const file of files) {
      for (const id of file.assetIds ?? []) expect(assetIds.has(id)).toBe(true);
      if (file.dataSetId !== undefined) expect(dataSetIds).toContain(file.dataSetId);
      expect(file.lastUpdatedTime).toBeGreaterThanOrEqual(file.createdTime);
      expect(file.uploadedTime !== undefined).toBe(file.uploaded);
    }
  });

  it('builds a consistent asset hierarchy and valid references', () => {
    const data = generateData({ seed: 5 });
    const byId = new Map(data.assets.map((asset) => [asset.id, asset]));
    for (const asset of data.assets) {
      const parent = asset.parentId === undefined ? undefined : byId.get(asset.parentId);
      if (asset.parentId === undefined) expect(asset.rootId).toBe(asset.id);
      else {
        expect(parent).toBeDefined();
        expect(asset.rootId).toBe(parent!.rootId);
        expect(asset.parentExternalId).toBe(parent!.externalId);
      }
    }
    for (const event of data.events) if (event.endTime !== undefined) expect(event.endTime).toBeGreaterThanOrEqual(event.startTime!);
    for (const ts of data.timeseries) expect(ts.type).toBe(ts.isString ? 'string' : 'numeric');
    for (const sequence of data.sequences) expect(sequence.columns.length).toBeGreaterThan(0);
    expect(data.timeseries.some((ts) => ts.instanceId !== undefined)).toBe(true);
  });

  it('finds items by every identifier in O(1) maps, and only those', () => {
    const data = generateData({});
    const file = data.files.find((f) => f.externalId !== undefined && f.instanceId !== undefined)!;
    expect(data.find('files', { id: file.id })).toBe(file);
    expect(data.find('files', { externalId: file.externalId })).toBe(file);
    expect(data.find('files', { instanceId: { ...file.instanceId } })).toBe(file);
    expect(data.find('assets', { id: file.id })).toBeUndefined();
    expect(data.find('files', { id: String(file.id) })).toBeUndefined();
    expect(data.find('files', 'nonsense')).toBeUndefined();
  });

  it('generates 100,000 files', () => {
    const data = generateData({ counts: { files: 100_000 } });
    expect(data.files).toHaveLength(100_000);
    const last = data.files[99_999]!;
    expect(data.find('files', { id: last.id })).toBe(last);
  });
});
