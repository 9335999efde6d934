/**
 * How much of the persister's database write is SQLite's fsync: the store's own write (`insert`, then
 * `advanceHeads`, as the persister makes it) against two FerretDBs side by side, one with SQLite's default
 * `synchronous=full` (every commit waits for fsync) and one with `normal` (commits survive any process
 * kill, not a power loss), alternating which goes first.
 *
 *   npx tsx tests/src/measure/store-write-fsync.ts [--events 50] [--writes 200] [--repositories 8]
 */
import { parseArgs } from 'node:util';
import type { SequencedBatch, ServerEvent } from '@lfsync/contracts';
import { MongoEventStore } from '@lfsync/event-store';
import { startFerretDb, type RunningServer } from '@lfsync/testkit';
import { MongoClient } from 'mongodb';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '50' },
    writes: { type: 'string', default: '200' },
    repositories: { type: 'string', default: '8' },
  },
});
const eventsPerWrite = Number(values.events);
const writes = Number(values.writes);
const repositories = Number(values.repositories);
const WARM_UP_WRITES = 20;

interface Side {
  label: 'full' | 'normal';
  ferret: RunningServer;
  client: MongoClient;
  store: MongoEventStore;
  heads: Map<string, number>;
  insertMs: number[];
  headsMs: number[];
}

async function startSide(label: Side['label']): Promise<Side> {
  const ferret = await startFerretDb({ sqliteSynchronous: label });
  const client = await MongoClient.connect(ferret.url);
  const store = new MongoEventStore(client.db('measure'), { writeConcern: 1 });
  await store.ensureIndexes();
  return { label, ferret, client, store, heads: new Map(), insertMs: [], headsMs: [] };
}

function nextBatch(side: Side, write: number): SequencedBatch {
  const repository = `repo-${write % repositories}`;
  const fromSequence = (side.heads.get(repository) ?? 0) + 1;
  const events = Array.from({ length: eventsPerWrite }, (_, i): ServerEvent => ({
    _event_id: `${repository}-${fromSequence + i}`,
    _data_id: `entity-${i % 10}`,
    _operation: 'update',
    _data: { padding: 'x'.repeat(100) },
    _created_at: Date.now(),
    serverSequence: fromSequence + i,
  }));
  return { repository, fromSequence, toSequence: fromSequence + eventsPerWrite - 1, events };
}

async function write(side: Side, index: number): Promise<void> {
  const batch = nextBatch(side, index);
  const started = performance.now();
  await side.store.insert([batch]);
  const inserted = performance.now();
  await side.store.advanceHeads(new Map([[batch.repository, batch.toSequence]]));
  side.heads.set(batch.repository, batch.toSequence);
  if (index < WARM_UP_WRITES) return;
  side.insertMs.push(inserted - started);
  side.headsMs.push(performance.now() - inserted);
}

function percentile(values: readonly number[], p: number): string {
  const sorted = [...values].sort((a, b) => a - b);
  return (sorted[Math.floor(p * (sorted.length - 1))] ?? 0).toFixed(2);
}

const sides = [await startSide('full'), await startSide('normal')];
try {
  for (let i = 0; i < writes + WARM_UP_WRITES; i++) {
    const order = i % 2 === 0 ? sides : [...sides].reverse();
    for (const side of order) await write(side, i);
  }
  console.log(`${eventsPerWrite} events per write, ${writes} writes each (ms, p50 / p90)`);
  for (const side of sides) {
    const total = side.insertMs.map((ms, i) => ms + (side.headsMs[i] ?? 0));
    console.log(
      `synchronous=${side.label}: inserts ${percentile(side.insertMs, 0.5)} / ${percentile(side.insertMs, 0.9)}, ` +
        `heads ${percentile(side.headsMs, 0.5)} / ${percentile(side.headsMs, 0.9)}, ` +
        `write ${percentile(total, 0.5)} / ${percentile(total, 0.9)}`,
    );
  }
} finally {
  for (const side of sides) {
    await side.client.close();
    await side.ferret.dispose();
  }
}
