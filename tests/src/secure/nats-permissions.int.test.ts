import { busNames } from '@lfsync/contracts';
import { gatewayConfigSchema, startGateway } from '@lfsync/gateway';
import { persisterConfigSchema, startPersister } from '@lfsync/persister';
import { natsAuthorizationBlock } from '@lfsync/runtime';
import { sequencerConfigSchema, startSequencer } from '@lfsync/sequencer';
import { WsTestClient, captureLogs, uniqueName } from '@lfsync/testkit';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, inject, it, onTestFinished } from 'vitest';
import { TEST_JWT_SECRET, signTestToken } from '../tokens.ts';
import { startConfiguredNats, type ConfiguredNats } from './nats-auth-server.ts';

const prefix = uniqueName('p');
const names = busNames(prefix);
const passwords = { gateway: 'gw-pass-1', sequencer: 'seq-pass-1', persister: 'per-pass-1' };

describe('NATS permissions per service (real nats-server with the shipped authorization)', () => {
  let nats: ConfiguredNats;
  beforeAll(async () => {
    nats = await startConfiguredNats(() => natsAuthorizationBlock(names, passwords));
  });
  afterAll(() => nats.dispose());

  const asUser = (user: keyof typeof passwords) =>
    connect({ servers: nats.url, user, pass: passwords[user] });

  it('the services work end to end with their own credentials, trimming the log and bounding the index', async () => {
    const logs = captureLogs('warn');
    const common = { NATS_URL: nats.url, BUS_PREFIX: prefix, OPS_PORT: '0' };
    const mongo = { MONGO_URL: inject('mongoUrl'), MONGO_DB: uniqueName('db') };
    const sequencer = await startSequencer(
      sequencerConfigSchema.parse({
        ...common,
        ...mongo,
        NATS_USER: 'sequencer',
        NATS_PASSWORD: passwords.sequencer,
        // As compose and k8s run it: the sequencer reads the persister's progress and MongoDB.
        EVENT_INDEX_TTL_MS: '60000',
        DUPLICATE_WINDOW_MS: '1000',
        LOG_MAX_BYTES: String(64 * 1024 * 1024),
      }),
      logs.logger,
    );
    onTestFinished(() => sequencer.stop());
    const persister = await startPersister(
      persisterConfigSchema.parse({
        ...common,
        ...mongo,
        MONGO_WRITE_CONCERN: String(inject('mongoWriteConcern')),
        NATS_USER: 'persister',
        NATS_PASSWORD: passwords.persister,
        LOG_RETENTION_MS: '1000',
        LOG_TRIM_INTERVAL_MS: '200',
      }),
      logs.logger,
    );
    onTestFinished(() => persister.stop());
    const gateway = await startGateway(
      gatewayConfigSchema.parse({
        ...common,
        ...mongo,
        PORT: '0',
        HOST: '127.0.0.1',
        JWT_SECRET: TEST_JWT_SECRET,
        NATS_USER: 'gateway',
        NATS_PASSWORD: passwords.gateway,
      }),
      logs.logger,
    );
    onTestFinished(() => gateway.stop());

    const repo = uniqueName('r');
    const client = await WsTestClient.connect(`ws://127.0.0.1:${gateway.port}/sync`);
    onTestFinished(() => client.close());
    expect((await client.auth(await signTestToken('alice'))).type).toBe('auth_success');
    client.send({
      type: 'push_event',
      repository: repo,
      event: { _event_id: 'e1', _operation: 0, _created_at: new Date().toISOString(), _data: { id: 'e1' } },
    });
    expect(await client.waitForType('ack')).toMatchObject({ sequences: { e1: 1 } });
    client.send({
      type: 'push_event',
      repository: repo,
      event: { _event_id: 'e2', _operation: 0, _created_at: new Date().toISOString(), _data: { id: 'e2' } },
    });
    expect(await client.waitForType('ack')).toMatchObject({ sequences: { e2: 2 } });
    await expect
      .poll(
        async () => {
          const metrics = await (await fetch(`http://127.0.0.1:${persister.opsPort}/metrics`)).text();
          return /^persister_log_messages_trimmed_total (\d+)/m.exec(metrics)?.[1];
        },
        { timeout: 10_000 },
      )
      .toBe('1');
    const reader = await WsTestClient.connect(`ws://127.0.0.1:${gateway.port}/sync`);
    onTestFinished(() => reader.close());
    expect((await reader.auth(await signTestToken('bob'))).type).toBe('auth_success');
    expect((await reader.catchUp(repo, 0)).events.map((e) => e['_event_id'])).toEqual(['e1', 'e2']);
    expect(logs.text()).not.toContain('Permissions Violation');
    expect(logs.text()).not.toContain('log trim failed');
  });

  it('a gateway credential cannot append to the log, read the index, delete or purge the stream', async () => {
    const gatewayNc = await asUser('gateway');
    onTestFinished(() => gatewayNc.close());
    const sequencerNc = await asUser('sequencer');
    onTestFinished(() => sequencerNc.close());
    const admin = await jetstreamManager(sequencerNc);
    await admin.streams
      .add({ name: names.logStream, subjects: [names.logSubjectWildcard] })
      .catch(() => undefined);
    const before = (await admin.streams.info(names.logStream)).state.messages;

    const js = jetstream(gatewayNc, { timeout: 2_000 });
    await expect(js.publish(names.logSubject('forged'), 'x')).rejects.toThrow();
    gatewayNc.publish(names.logSubject('forged'), 'x');
    await gatewayNc.flush();
    const gatewayJsm = await jetstreamManager(gatewayNc, { timeout: 2_000, checkAPI: false });
    await expect(gatewayJsm.streams.delete(names.logStream)).rejects.toThrow();
    await expect(gatewayJsm.streams.purge(names.logStream)).rejects.toThrow();
    await expect(gatewayJsm.streams.info(`KV_${names.eventIndexBucket}`)).rejects.toThrow();

    expect((await admin.streams.info(names.logStream)).state.messages).toBe(before);
  });

  it('the persister may not append to the log or delete it; the sequencer may not broadcast commits', async () => {
    const persisterNc = await asUser('persister');
    onTestFinished(() => persisterNc.close());
    await expect(
      jetstream(persisterNc, { timeout: 2_000 }).publish(names.logSubject('forged'), 'x'),
    ).rejects.toThrow();
    const jsm = await jetstreamManager(persisterNc, { timeout: 2_000, checkAPI: false });
    await expect(jsm.streams.delete(names.logStream)).rejects.toThrow();

    const sequencerNc = await asUser('sequencer');
    onTestFinished(() => sequencerNc.close());
    const gatewayNc = await asUser('gateway');
    onTestFinished(() => gatewayNc.close());
    const heard: string[] = [];
    gatewayNc.subscribe(names.commitSubjectWildcard, {
      callback: (_err, msg) => {
        heard.push(msg.subject);
      },
    });
    await gatewayNc.flush();
    sequencerNc.publish(names.commitSubject('forged'), 'x');
    await sequencerNc.flush();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(heard).toEqual([]);
  });
});
