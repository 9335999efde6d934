import { busNames, type SequencedBatch } from '@lfsync/contracts';
import { captureLogs, sequencedBatch, startFerretDb, uniqueName } from '@lfsync/testkit';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { MongoClient } from 'mongodb';
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import { startPersister } from '../app.ts';
import { persisterConfigSchema } from '../config.ts';

const TIMEOUT_MS = 500;
const BATCHES = 10;

async function until(check: () => Promise<boolean> | boolean, what: string): Promise<void> {
  for (let waitedMs = 0; !(await check()); waitedMs += 50) {
    if (waitedMs > 45_000) throw new Error(`gave up waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Batches of two events each: batch i holds sequences 2i-1 and 2i. */
const batch = (i: number): SequencedBatch => sequencedBatch(2 * i - 1, 2 * i, 'stalled');

describe('persister against a database that stops answering', () => {
  it('times the calls out, retries, and stores every acknowledged event once, in order', async () => {
    const ferret = await startFerretDb();
    const pid = ferret.process.pid as number;
    onTestFinished(async () => {
      process.kill(pid, 'SIGCONT');
      await ferret.dispose();
    });
    const prefix = uniqueName('p');
    const database = uniqueName('db');
    const logs = captureLogs('warn');
    const config = persisterConfigSchema.parse({
      NATS_URL: inject('natsUrl'),
      MONGO_URL: ferret.url,
      MONGO_DB: database,
      MONGO_WRITE_CONCERN: '1',
      BUS_PREFIX: prefix,
      OPS_PORT: '0',
      STORE_TIMEOUT_MS: String(TIMEOUT_MS),
    });
    const persister = await startPersister(config, logs.logger);
    onTestFinished(() => persister.stop());
    const nc = await connect({ servers: inject('natsUrl') });
    onTestFinished(() => nc.close());
    const js = jetstream(nc);
    const names = busNames(prefix);
    const mongo = new MongoClient(ferret.url);
    onTestFinished(() => mongo.close());
    const db = mongo.db(database);
    const head = async () =>
      (await db.collection<{ _id: string; s: number }>('heads').findOne({ _id: 'stalled' }))?.s;
    const publish = (i: number) => js.publish(names.logSubject('stalled'), JSON.stringify(batch(i)));

    const jsm = await jetstreamManager(nc);
    const ackFloor = async () =>
      (await jsm.consumers.info(names.logStream, names.persisterConsumer)).ack_floor.stream_seq;

    for (let i = 1; i <= BATCHES / 2; i++) await publish(i);
    await until(async () => (await head()) === BATCHES, 'the first half stored');
    // Its index (and so its acknowledgement) follows the head, a few groups at a time.
    await until(async () => (await ackFloor()) === BATCHES / 2, 'the first half acknowledged');

    process.kill(pid, 'SIGSTOP');
    for (let i = BATCHES / 2 + 1; i <= BATCHES; i++) await publish(i);
    await until(() => logs.lines.some((l) => l['msg'] === 'database call timed out'), 'a timeout reported');
    expect(await ackFloor()).toBe(BATCHES / 2); // nothing past the stall acknowledged
    process.kill(pid, 'SIGCONT');

    await until(async () => {
      const info = await jsm.consumers.info(names.logStream, names.persisterConsumer);
      return info.ack_floor.stream_seq === BATCHES && info.num_ack_pending === 0;
    }, 'every batch acknowledged');
    await until(async () => (await head()) === 2 * BATCHES, 'the head raised'); // it follows the index
    const events = await db
      .collection<{ s: number; e: string }>('events')
      .find({ r: 'stalled' })
      .sort({ s: 1 })
      .toArray();
    expect(events.map((e) => e.s)).toEqual(Array.from({ length: 2 * BATCHES }, (_, i) => i + 1));
    expect(events.map((e) => e.e)).toEqual(events.map((e) => `e${e.s}`));
    expect(await db.collection('event_batches').countDocuments({ r: 'stalled' })).toBe(BATCHES);
    const metrics = await (await fetch(`http://127.0.0.1:${persister.opsPort}/metrics`)).text();
    expect(metrics).toMatch(/^persister_db_timeouts_total\{operation="insert"\} [1-9]/m);
  });
});
