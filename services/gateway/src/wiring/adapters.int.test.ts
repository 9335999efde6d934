import { busNames } from '@lfsync/contracts';
import { sequencedBatch, uniqueName } from '@lfsync/testkit';
import { connect } from '@nats-io/transport-node';
import { pino } from 'pino';
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import { HoldingProxy } from '../bus/testing/holding-proxy.ts';
import { gatewayConfigSchema } from '../config.ts';
import { connectGatewayAdapters } from './adapters.ts';

/** The production adapters on a bus connection through a proxy; commits are published around it. */
async function adaptersBehindProxy() {
  const proxy = await HoldingProxy.start(inject('natsUrl'));
  const prefix = uniqueName('p');
  const config = gatewayConfigSchema.parse({ NATS_URL: proxy.url, BUS_PREFIX: prefix });
  const adapters = await connectGatewayAdapters(config, pino({ level: 'silent' }));
  const publisher = await connect({ servers: inject('natsUrl') });
  onTestFinished(async () => {
    proxy.releaseFromClient();
    await adapters.close(); // before the proxy goes: a connection lost would make its drain wait
    await publisher.close();
    await proxy.close();
  });
  const received: string[] = [];
  const feed = adapters.subscribeCommits({
    onCommit: (batch) => received.push(`${batch.repository}@${batch.toSequence}`),
    wants: () => true,
    stopped: () => undefined,
  });
  onTestFinished(() => feed.close());
  const natsConnected = async () =>
    (await adapters.readiness.find((r) => r.name === 'nats')?.check()) ?? false;
  /** The store's head of `r`: a commit is stored before it is published. */
  const store = { head: 0 };
  const commit = async (sequence: number) => {
    store.head = sequence;
    publisher.publish(
      busNames(prefix).commitSubject('r'),
      JSON.stringify(sequencedBatch(sequence, sequence)),
    );
    await publisher.flush(); // the server has routed it
  };
  return { proxy, adapters, feed, natsConnected, store, commit, received };
}

describe('connectGatewayAdapters', () => {
  it('reports a broadcast gap once the server took the subscriptions re-sent after the reconnect, so a refresh then misses no commit', async () => {
    const { proxy, adapters, feed, natsConnected, store, commit, received } = await adaptersBehindProxy();
    feed.follow('r');
    await feed.ready('r');
    const headsRead: number[] = [];
    adapters.onBroadcastGap(() => headsRead.push(store.head)); // what a refresh reads

    proxy.holdAfterReconnect();
    await expect.poll(() => proxy.heldFromClient()).toContain('SUB '); // the server has not taken it
    await expect.poll(natsConnected).toBe(true); // the reconnect was reported
    await commit(1); // reaches no subscription of the gateway
    expect(headsRead).toEqual([]);
    proxy.releaseFromClient();
    await expect.poll(() => headsRead).toEqual([1]);

    await commit(2);
    await expect.poll(() => received).toEqual(['r@2']);
  });
});
