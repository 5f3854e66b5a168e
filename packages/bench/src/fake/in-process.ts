import { startMockCdf } from '@cdf-loader/mock-cdf';
import { type FakeCdf, type FakeCdfOptions, mockSettings, pickCounters } from './fake-cdf.js';

/**
 * A fake CDF in this process. Only for the harness's own test, which runs on the sources where
 * the forked child script (built JavaScript) is not available; measurements always fork.
 */
export async function startInProcessFakeCdf(options: FakeCdfOptions): Promise<FakeCdf> {
  const mock = await startMockCdf({
    counts: { files: options.files },
    ...mockSettings({ latencyMs: options.latencyMs ?? 0, concurrencyLimit: options.concurrencyLimit }),
  });
  return {
    url: mock.url,
    project: mock.project,
    token: mock.token,
    fileIds: mock.data.files.map((file) => file.id),
    configure: async (settings) => mock.configure(mockSettings(settings)),
    reset: async () => mock.reset(),
    counters: async () => pickCounters(mock.counters),
    close: () => mock.close(),
  };
}
