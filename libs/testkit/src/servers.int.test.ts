import { jetstream, jetstreamManager, AckPolicy } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { MongoClient } from 'mongodb';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it, onTestFinished, vi } from 'vitest';
import { freePort } from './free-port.ts';
import { uniqueName } from './names.ts';
import { startFerretDb, startNatsServer } from './servers.ts';

describe('test servers', () => {
  it('the MongoDB-wire server stores and reads documents, with a unique index', async () => {
    const client = await MongoClient.connect(inject('mongoUrl'));
    onTestFinished(() => client.close());
    const db = client.db(uniqueName('db'));
    const collection = db.collection<{ _id: string; n: number }>('things');
    await collection.createIndex({ n: 1 }, { unique: true });
    await collection.insertMany([
      { _id: 'a', n: 1 },
      { _id: 'b', n: 2 },
    ]);
    await expect(collection.insertOne({ _id: 'c', n: 1 })).rejects.toMatchObject({ code: 11000 });
    expect(await collection.find().sort({ n: 1 }).toArray()).toEqual([
      { _id: 'a', n: 1 },
      { _id: 'b', n: 2 },
    ]);
    await db.dropDatabase();
  });

  it.each([
    ['debug', true],
    ['info', false],
  ] as const)(
    "FerretDB at log level %s logs the SQL statements' arguments: %s (they are formatted only when logged)",
    async (logLevel, logged) => {
      const logFile = join(tmpdir(), `${uniqueName('ferretdb')}.log`);
      const ferret = await startFerretDb({ logLevel, logFile });
      onTestFinished(() => ferret.dispose());
      const client = await MongoClient.connect(ferret.url);
      onTestFinished(() => client.close());
      const marker = uniqueName('marker');
      await client.db('logs').collection('things').insertOne({ marker });
      // The log reaches the file through a pipe that may lag the reply: a line expected is waited for.
      const inLog = () => readFileSync(logFile, 'utf8').includes(marker);
      if (logged) await vi.waitFor(() => expect(inLog()).toBe(true));
      else expect(inLog()).toBe(false);
    },
  );

  it('JetStream publishes and a durable consumer receives', async () => {
    const nc = await connect({ servers: inject('natsUrl') });
    onTestFinished(() => nc.close());
    const jsm = await jetstreamManager(nc);
    const stream = uniqueName('S');
    await jsm.streams.add({ name: stream, subjects: [`${stream}.>`] });
    onTestFinished(async () => {
      await jsm.streams.delete(stream);
    });
    await jsm.consumers.add(stream, { durable_name: 'c', ack_policy: AckPolicy.Explicit });
    const js = jetstream(nc);
    const ack = await js.publish(`${stream}.x`, 'hello', { msgID: 'm1' });
    const dup = await js.publish(`${stream}.x`, 'hello', { msgID: 'm1' });
    expect(dup.duplicate).toBe(true);
    expect(dup.seq).toBe(ack.seq);
    const consumer = await js.consumers.get(stream, 'c');
    const message = await consumer.next({ expires: 5_000 });
    expect(message?.string()).toBe('hello');
    message?.ack();
  });

  it('a server can be killed and restarted in place, keeping JetStream data', async () => {
    const server = await startNatsServer();
    onTestFinished(() => server.dispose());
    const publishOnce = async () => {
      const nc = await connect({ servers: server.url });
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name: 'K', subjects: ['k.>'] });
      await jetstream(nc).publish('k.1', 'kept');
      await nc.close();
    };
    await publishOnce();
    await server.process.restart();
    const nc = await connect({ servers: server.url });
    onTestFinished(() => nc.close());
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info('K');
    expect(info.state.messages).toBe(1);
  });

  it('refuses to start a server on a port another process listens on (regression: taken for started)', async () => {
    const port = await freePort();
    const other = createServer();
    await new Promise<void>((resolve) => other.listen(port, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => other.close(() => resolve())));
    await expect(startNatsServer({ port })).rejects.toThrow(`port ${port} is taken by another process`);
  });

  it('serves nats-server monitoring and profiling on the ports LFS_NATS_MONITOR_PORT and LFS_NATS_PROFILE_PORT name', async () => {
    const [monitor, profile] = [await freePort(), await freePort()];
    vi.stubEnv('LFS_NATS_MONITOR_PORT', String(monitor));
    vi.stubEnv('LFS_NATS_PROFILE_PORT', String(profile));
    onTestFinished(() => {
      vi.unstubAllEnvs();
    });
    const server = await startNatsServer();
    onTestFinished(() => server.dispose());
    const varz = (await (await fetch(`http://127.0.0.1:${monitor}/varz`)).json()) as { jetstream?: unknown };
    expect(varz.jetstream).toBeDefined();
    expect((await fetch(`http://127.0.0.1:${profile}/debug/pprof/`)).status).toBe(200);
  });
});
