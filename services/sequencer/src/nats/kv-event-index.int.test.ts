import { busNames } from '@lfsync/contracts';
import { netnsUnavailable, startNatsCluster, uniqueName, type NatsCluster } from '@lfsync/testkit';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { describe, expect, it, onTestFinished } from 'vitest';
import { KvEventIndex } from './kv-event-index.ts';
import { lastFromAnyReplica } from './kv-last-reads.ts';
import { ReplyInbox } from './reply-inbox.ts';

async function clusterOf3(network: 'loopback' | 'netns'): Promise<NatsCluster> {
  const cluster = await startNatsCluster(3, { network });
  onTestFinished(() => cluster.dispose());
  return cluster;
}

async function connectTo(cluster: NatsCluster, node: number): Promise<NatsConnection> {
  const nc = await connect({ servers: cluster.nodes[node]?.url ?? cluster.url });
  onTestFinished(() => nc.close());
  return nc;
}

/** Opens the index once (creating the R3 bucket) and says which node leads it and which follows. */
async function roles(cluster: NatsCluster, prefix: string): Promise<{ leader: number; follower: number }> {
  const nc = await connect({ servers: cluster.url.split(',') });
  await KvEventIndex.open(nc, busNames(prefix), 3);
  await nc.close();
  const leader = await cluster.streamLeader(`KV_${busNames(prefix).eventIndexBucket}`);
  if (leader === undefined) throw new Error('the index bucket has no leader');
  const follower = (leader + 1) % 3;
  // On a cluster that just formed, the follower may not know the bucket's subjects yet ("no responders"):
  // wait until a write through it lands (under a repository the tests do not read).
  const kv = await new Kvm(jetstream(await connectTo(cluster, follower))).open(
    busNames(prefix).eventIndexBucket,
  );
  await expect
    .poll(
      () =>
        kv.put('warmup.probe', '{"sequence":1}').then(
          () => true,
          () => false,
        ),
      { timeout: 20_000 },
    )
    .toBe(true);
  return { leader, follower };
}

describe('the event-id index on a 3-node cluster (R3)', () => {
  it('finds every id it indexed, read from a follower in batches, and from the leader before it wrote any', async () => {
    const cluster = await clusterOf3('loopback');
    const prefix = uniqueName('p');
    const { follower } = await roles(cluster, prefix);
    const index = await KvEventIndex.open(await connectTo(cluster, follower), busNames(prefix), 3);
    const ids = Array.from({ length: 600 }, (_, i) => `e${i}`);

    expect((await index.getMany('repo', ids)).size).toBe(0);
    expect(index.reads.leader).toBeGreaterThan(0);
    await index.putMany(
      'repo',
      ids.map((id, i) => [id, i + 1] as const),
    );
    const known = await index.getMany('repo', [...ids, 'unknown']);
    expect(known.size).toBe(600);
    expect(known.get('e599')).toBe(600);
    expect(index.reads.replica).toBe(3); // 601 ids in batches of 255

    const restarted = await KvEventIndex.open(await connectTo(cluster, follower), busNames(prefix), 3);
    expect((await restarted.getMany('repo', ids)).size).toBe(600);
    expect(restarted.reads).toEqual({ replica: 0, stale: 0, leader: 3 });
  }, 60_000);

  it('turns direct gets back on for a bucket an earlier version created without them', async () => {
    const cluster = await clusterOf3('loopback');
    const names = busNames(uniqueName('p'));
    const nc = await connectTo(cluster, 0);
    // An R3 stream on a cluster that just formed can take longer than the API's 5-s default on a busy machine.
    await new Kvm(jetstream(nc, { timeout: 30_000 })).create(names.eventIndexBucket, {
      replicas: 3,
      allow_direct: false,
    });
    const index = await KvEventIndex.open(nc, names, 3);
    await index.putMany('repo', [['a', 1]]);
    expect(await index.getMany('repo', ['a', 'b'])).toEqual(new Map([['a', 1]]));
    const info = await (await jetstreamManager(nc)).streams.info(`KV_${names.eventIndexBucket}`);
    expect(info.config.allow_direct).toBe(true);
    expect(index.reads.replica).toBe(1);
  }, 60_000);

  it.skipIf(netnsUnavailable() !== undefined)(
    'does not take the answer of a replica cut off from the others as current',
    async () => {
      const cluster = await clusterOf3('netns');
      const names = busNames(uniqueName('p'));
      const { leader, follower } = await roles(cluster, names.prefix);
      const stream = `KV_${names.eventIndexBucket}`;
      const writer = new Kvm(jetstream(await connectTo(cluster, leader)));
      const kv = await writer.open(names.eventIndexBucket);
      const before = await kv.put('repo.old', '{"sequence":1}');
      const fromFollower = new ReplyInbox(await connectTo(cluster, follower));
      // Wait until the follower has the first entry, then cut it off and wait until it has dropped its routes
      // (3 missed pings), so that requests sent to it are not passed to the others; retry until it answers
      // direct gets itself (a follower joins their queue group on a 2 s timer once caught up).
      const subject = (key: string) => `$KV.${names.eventIndexBucket}.${key}`;
      const mark = { subject: subject('repo.old'), revision: before };
      await expect
        .poll(() => lastFromAnyReplica(fromFollower, stream, [], mark, 2_000), { timeout: 20_000 })
        .not.toBe('stale');
      onTestFinished(() => cluster.heal(follower));
      for (let attempt = 0; ; attempt++) {
        cluster.partition(follower);
        await new Promise((resolve) => setTimeout(resolve, 5_000));
        if ((await lastFromAnyReplica(fromFollower, stream, [], mark, 1_000)) !== 'stale') break;
        cluster.heal(follower);
        if (attempt === 10) throw new Error('the follower never answered direct gets itself');
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
      const after = await kv.put('repo.new', '{"sequence":2}');

      const unchecked = await lastFromAnyReplica(
        fromFollower,
        stream,
        [subject('repo.new')],
        undefined,
        2_000,
      );
      expect(unchecked).toEqual([]); // the hazard: the cut-off replica answers without the new entry
      const newest = { subject: subject('repo.new'), revision: after };
      const checked = await lastFromAnyReplica(fromFollower, stream, [subject('repo.new')], newest, 2_000);
      expect(checked).toBe('stale');
    },
    120_000,
  );
});
