import { uniqueName } from '@lfsync/testkit';
import type { Db, Document } from 'mongodb';
import { describe, expect, it } from 'vitest';
import type { TestStack } from '../stack.ts';
import { storedEvents } from '../support.ts';
import {
  eventually,
  lifecycleStack,
  metricValue,
  paddedEvent,
  storedHead,
  type BusAccess,
} from './lifecycle-support.ts';

const COLLECTIONS = ['events', 'event_batches', 'heads', 'persister_positions'];

/** A backup as `mongodump` would take it: every collection, copied with the driver. */
async function backup(db: Db): Promise<Map<string, Document[]>> {
  const copy = new Map<string, Document[]>();
  for (const name of COLLECTIONS) copy.set(name, await db.collection(name).find().toArray());
  return copy;
}

async function restore(db: Db, copy: Map<string, Document[]>): Promise<void> {
  for (const [name, documents] of copy) {
    await db.collection(name).deleteMany({});
    if (documents.length > 0) await db.collection(name).insertMany(documents);
  }
}

/** Pushes one event per append and waits until they are stored and the log position saved past them. */
async function pushStored(stack: TestStack, bus: BusAccess, repository: string, from: number, to: number) {
  for (let i = from; i <= to; i++)
    await bus.sequencer.sequence(repository, [paddedEvent(`${repository}-${i}`)]);
  await eventually('stored', async () => ((await storedHead(stack, repository)) === to ? true : undefined));
  const lastSeq = (await bus.jsm.streams.info(bus.names.logStream)).state.last_seq;
  await eventually('log position saved', async () => {
    const saved = await stack
      .db()
      .collection<{ _id: string; seq: number }>('persister_positions')
      .findOne({ _id: 'log' });
    return (saved?.seq ?? 0) >= lastSeq ? true : undefined;
  });
}

describe('restoring MongoDB from an earlier backup while the log lives on', () => {
  it('re-persists the missing tail from the log when the persister restarts', async () => {
    const { stack, bus } = await lifecycleStack({ LOG_RETENTION_MS: '600000', LOG_TRIM_INTERVAL_MS: '200' });
    const repository = uniqueName('r');
    await pushStored(stack, bus, repository, 1, 5);
    const copy = await backup(stack.db());
    await pushStored(stack, bus, repository, 6, 10);

    await stack.stopPersister(0);
    await restore(stack.db(), copy);
    expect(await storedHead(stack, repository)).toBe(5);
    await stack.startPersister(0);

    await eventually('re-persisted', async () =>
      (await storedHead(stack, repository)) === 10 ? true : undefined,
    );
    expect(metricValue(await stack.metrics('persister'), 'persister_log_replays_total')).toBe(1);
    expect(await bus.sequencer.sequence(repository, [paddedEvent(`${repository}-11`)])).toMatchObject([
      { sequence: 11, duplicate: false },
    ]);
    await eventually('stored', async () => ((await storedHead(stack, repository)) === 11 ? true : undefined));
    expect((await storedEvents(stack.db(), repository)).map((e) => e.s)).toEqual(
      Array.from({ length: 11 }, (_, i) => i + 1),
    );
  });

  it('reports what the trimmed log no longer holds, moves past it, and never gives a sequence twice', async () => {
    const { stack, bus } = await lifecycleStack({
      LOG_RETENTION_MS: '1000',
      DUPLICATE_WINDOW_MS: '1000',
      LOG_TRIM_INTERVAL_MS: '200',
    });
    const repository = uniqueName('r');
    await pushStored(stack, bus, repository, 1, 3);
    const copy = await backup(stack.db());
    await pushStored(stack, bus, repository, 4, 7);
    await eventually('trimmed to the last message', async () => {
      const state = (await bus.jsm.streams.info(bus.names.logStream, { subjects_filter: '>' })).state;
      return state.subjects?.[bus.names.logSubject(repository)] === 1 ? true : undefined;
    });

    await stack.stopPersister(0);
    await restore(stack.db(), copy);
    await stack.startPersister(0);

    await eventually('moved past the loss', async () =>
      (await storedHead(stack, repository)) === 7 ? true : undefined,
    );
    expect(metricValue(await stack.metrics('persister'), 'persister_lost_events_total')).toBe(3);
    expect(stack.logs.lines).toContainEqual(
      expect.objectContaining({
        msg: 'events lost: not in MongoDB, no longer in the log',
        repository,
        fromSequence: 4,
        toSequence: 6,
      }),
    );
    expect(await bus.sequencer.sequence(repository, [paddedEvent(`${repository}-8`)])).toMatchObject([
      { sequence: 8, duplicate: false },
    ]);
    await eventually('stored', async () => ((await storedHead(stack, repository)) === 8 ? true : undefined));
    expect((await storedEvents(stack.db(), repository)).map((e) => e.s)).toEqual([1, 2, 3, 7, 8]);
  });
});
