import type { SequenceLog } from '@lfsync/ports';
import { sequencedBatch } from '@lfsync/testkit';
import { describe, expect, it } from 'vitest';
import { StoreHeadSequenceLog } from './store-head-sequence-log.ts';

function logWith(head: { sequence: number; version: number }): SequenceLog {
  return {
    head: () =>
      Promise.resolve({ head, lastBatch: head.version === 0 ? undefined : sequencedBatch(1, head.sequence) }),
    append: () => Promise.resolve({ kind: 'conflict' }),
  };
}

describe('StoreHeadSequenceLog', () => {
  it("takes the log's head when the log holds the repository", async () => {
    const log = new StoreHeadSequenceLog(logWith({ sequence: 9, version: 40 }), {
      head: () => Promise.resolve(7),
    });
    expect((await log.head('r')).head).toEqual({ sequence: 9, version: 40 });
  });

  it("takes the store's head, appending as to an empty log, when the log holds nothing of it", async () => {
    const log = new StoreHeadSequenceLog(logWith({ sequence: 0, version: 0 }), {
      head: () => Promise.resolve(7),
    });
    expect(await log.head('r')).toEqual({ head: { sequence: 7, version: 0 }, lastBatch: undefined });
  });
});
