import { busNames } from '@lfsync/contracts';
import { persisterConfigSchema, startPersister } from '@lfsync/persister';
import { JetStreamReplicasError } from '@lfsync/runtime';
import { sequencerConfigSchema, startSequencer } from '@lfsync/sequencer';
import { captureLogs, startNatsCluster, uniqueName, type NatsCluster } from '@lfsync/testkit';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const logger = captureLogs('fatal').logger;

function configs(natsUrl: string, prefix: string, replicas: number) {
  const common = { NATS_URL: natsUrl, BUS_PREFIX: prefix, OPS_PORT: '0', NATS_REPLICAS: String(replicas) };
  return {
    sequencer: sequencerConfigSchema.parse(common),
    persister: persisterConfigSchema.parse({
      ...common,
      MONGO_URL: inject('mongoUrl'),
      MONGO_DB: uniqueName('db'),
      MONGO_WRITE_CONCERN: '1',
    }),
  };
}

/** Starts a sequencer and a persister (which create the stream, the bucket and the consumer), then stops them. */
async function startAndStop(natsUrl: string, prefix: string, replicas: number): Promise<void> {
  const { sequencer, persister } = configs(natsUrl, prefix, replicas);
  const s = await startSequencer(sequencer, logger);
  const p = await startPersister(persister, logger);
  await p.stop();
  await s.stop();
}

async function replicaCounts(jsm: JetStreamManager, prefix: string) {
  const names = busNames(prefix);
  const consumer = await jsm.consumers.info(names.logStream, names.persisterConsumer);
  return {
    log: (await jsm.streams.info(names.logStream)).config.num_replicas,
    index: (await jsm.streams.info(`KV_${names.eventIndexBucket}`)).config.num_replicas,
    consumer: consumer.config.num_replicas,
  };
}

describe('NATS_REPLICAS on a 3-node cluster', () => {
  let cluster: NatsCluster;
  let nc: NatsConnection;
  let jsm: JetStreamManager;

  beforeAll(async () => {
    cluster = await startNatsCluster(3);
    nc = await connect({ servers: cluster.url.split(',') });
    jsm = await jetstreamManager(nc);
  });
  afterAll(async () => {
    await nc?.close();
    await cluster?.dispose();
  });

  it('creates the log stream, the event-id index and the consumer with 3 copies, again idempotently', async () => {
    const prefix = uniqueName('p');
    await startAndStop(cluster.url, prefix, 3);
    await startAndStop(cluster.url, prefix, 3);
    expect(await replicaCounts(jsm, prefix)).toEqual({ log: 3, index: 3, consumer: 3 });
  });

  it('scales up what an earlier start created with one copy', async () => {
    const prefix = uniqueName('p');
    await startAndStop(cluster.url, prefix, 1);
    expect(await replicaCounts(jsm, prefix)).toEqual({ log: 1, index: 1, consumer: 1 });
    await startAndStop(cluster.url, prefix, 3);
    expect(await replicaCounts(jsm, prefix)).toEqual({ log: 3, index: 3, consumer: 3 });
  });

  it('never scales down what has more copies than asked for', async () => {
    const prefix = uniqueName('p');
    await startAndStop(cluster.url, prefix, 3);
    await startAndStop(cluster.url, prefix, 1);
    expect(await replicaCounts(jsm, prefix)).toEqual({ log: 3, index: 3, consumer: 3 });
  });
});

describe('NATS_REPLICAS on a single server', () => {
  it('stops start-up with a message saying how to fix it, for a new stream', async () => {
    const { sequencer, persister } = configs(inject('natsUrl'), uniqueName('p'), 3);
    const fix = /NATS_REPLICAS=3 .*NATS refused.*cluster of at least 3 servers.*NATS_REPLICAS=1/;
    await expect(startSequencer(sequencer, logger)).rejects.toThrow(fix);
    await expect(startPersister(persister, logger)).rejects.toThrow(fix);
  });

  it('stops start-up with a message saying how to fix it, for an existing single-copy stream', async () => {
    const prefix = uniqueName('p');
    await startAndStop(inject('natsUrl'), prefix, 1);
    const { sequencer } = configs(inject('natsUrl'), prefix, 3);
    const failure: unknown = await startSequencer(sequencer, logger).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(JetStreamReplicasError);
    expect((failure as JetStreamReplicasError).code).toBe('NATS_REPLICAS_UNAVAILABLE');
    expect(String(failure)).toMatch(/has 1 replica\(s\).*nats stream edit.*or set NATS_REPLICAS=1/);
  });
});

describe('NATS_REPLICAS=3 while two nodes of the cluster are down', () => {
  it('waits for them to come back instead of stopping start-up, saying why', async () => {
    const cluster = await startNatsCluster(3);
    const logs = captureLogs('warn');
    let starting: ReturnType<typeof startSequencer> | undefined;
    try {
      // The meta leader stays up: it answers "no suitable peers for placement, peer offline" at once.
      const leader = await cluster.metaLeader();
      expect(leader).toBeDefined();
      const down = cluster.nodes.filter((_, i) => i !== leader);
      await Promise.all(down.map((n) => n.process.stop()));
      const prefix = uniqueName('p');
      starting = startSequencer(configs(cluster.url, prefix, 3).sequencer, logs.logger);
      const early = await Promise.race([
        starting.then(
          () => 'started',
          (err: unknown) => err,
        ),
        new Promise((resolve) => setTimeout(() => resolve('waiting'), 3_000)),
      ]);
      expect(early).toBe('waiting');
      expect(logs.text()).toContain('NATS_PEER_OFFLINE');
      await Promise.all(down.map((n) => n.process.start()));
      const sequencer = await starting;
      starting = undefined;
      await sequencer.stop();
      const nc = await connect({ servers: cluster.url.split(',') });
      const jsm = await jetstreamManager(nc);
      expect((await jsm.streams.info(busNames(prefix).logStream)).config.num_replicas).toBe(3);
      await nc.close();
    } finally {
      await starting?.then((s) => s.stop()).catch(() => undefined);
      await cluster.dispose();
    }
  });
});
