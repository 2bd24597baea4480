import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ARCHIVE_ROOT } from './archive.sink.ts';
import type { ObjectStore } from './object.store.ts';
import { rebuildRollups, withRetry } from './rebuild.ts';
import { syntheticItems } from './test-harness.ts';

function storeWith(objects: Record<string, string>): ObjectStore {
  return {
    put: async () => undefined,
    list: async (prefix) =>
      Object.keys(objects)
        .filter((k) => k.startsWith(prefix))
        .sort(),
    get: async (key) => (objects[key] === undefined ? null : gzipSync(objects[key])),
    delete: async () => undefined,
  };
}

const NOT_WRITEABLE = "Stream isn't writeable and enableOfflineQueue options is false";

describe('rebuildRollups when Redis is not ready', () => {
  it('retries a refused batch and applies every item once', async () => {
    const items = syntheticItems(5);
    const store = storeWith({
      [`${ARCHIVE_ROOT}/dt=2026-11-30/p0-0.ndjson.gz`]: `${items.map((i) => JSON.stringify(i)).join('\n')}\n`,
    });
    let calls = 0;
    const applied: string[] = [];
    const retries: string[] = [];
    const writer = {
      async apply(batch: readonly { feedbackId: string }[]) {
        calls += 1;
        if (calls <= 2) throw new Error(NOT_WRITEABLE);
        applied.push(...batch.map((c) => c.feedbackId));
        return { applied: batch.length, changed: [], commands: 1 };
      },
    };
    const result = await rebuildRollups({
      store,
      writer: writer as never,
      retry: { attempts: 5, backoffMs: 1 },
      onRetry: (attempt, error) => retries.push(`${attempt}: ${error.message}`),
    });
    expect(result).toMatchObject({ objectsTotal: 1, events: 5, applied: 5, invalid: 0 });
    expect(applied).toEqual(items.map((i) => i.feedbackId));
    expect(retries).toEqual([`1: ${NOT_WRITEABLE}`, `2: ${NOT_WRITEABLE}`]);
  });

  it('gives up after the stated number of attempts with the last error', async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls += 1;
          throw new Error(`refused ${calls}`);
        },
        { attempts: 3, backoffMs: 1 },
      ),
    ).rejects.toThrow('refused 3');
    expect(calls).toBe(3);
  });
});
