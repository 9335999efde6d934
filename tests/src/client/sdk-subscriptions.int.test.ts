import { SubscriptionError, type SyncError } from '@lfsync/client';
import { uniqueName } from '@lfsync/testkit';
import { describe, expect, it } from 'vitest';
import { useStack } from '../use-stack.ts';
import { requestsOf, sdkClient, sequencesReceived, snapshot } from './sdk-fixture.ts';

const POLL = { timeout: 30_000, interval: 50 };

/** Errors other than a retryable server refusal (on a loaded machine a push may time out and be retried). */
const unexpected = (errors: readonly SyncError[]): SyncError[] =>
  errors.filter((error) => !(error.kind === 'server_error' && error.retryable));

describe('client SDK subscriptions and presence against the real stack', () => {
  const stack = useStack({ gateways: 2 });

  it('receives exactly what it subscribed to, by name and by pattern', async () => {
    const team = uniqueName('team');
    const own = uniqueName('own');
    const [a, b, other] = [`${team}/a`, `${team}/b`, uniqueName('other')];
    const writer = await sdkClient(stack(), {
      subject: 'writer',
      repositories: [a, b, other, own],
      gateway: 0,
    });
    const reader = await sdkClient(stack(), { subject: 'reader', repositories: [own], gateway: 1 });
    writer.client.start();
    reader.client.start();
    await Promise.all([writer.client.whenLive(), reader.client.whenLive()]);
    await writer.client.repository(a).upsert('before', { n: 0 });
    await writer.client.flushed();

    const pattern = reader.client.subscribe(`${team}/*`);
    await pattern.whenLive();
    expect(pattern.status).toBe('live');
    for (const repository of [a, b, other, own])
      await writer.client.repository(repository).upsert('x', { in: repository });
    await writer.client.flushed();

    await expect.poll(() => snapshot(reader.client, b), POLL).toEqual({ x: { in: b } });
    // The first event of `a` that came live was behind a gap: the SDK caught the repository up from 0.
    await expect.poll(() => snapshot(reader.client, a), POLL).toEqual({ before: { n: 0 }, x: { in: a } });
    await expect.poll(() => snapshot(reader.client, own), POLL).toEqual({ x: { in: own } });
    expect(sequencesReceived(reader.received, other)).toEqual([]);
    expect(() => reader.client.repository(other)).toThrow();

    pattern.unsubscribe();
    await expect.poll(() => reader.received.some((f) => f.type === 'unsubscribed'), POLL).toBe(true);
    await writer.client.repository(b).upsert('after', { n: 1 });
    await writer.client.flushed();
    await writer.client.repository(own).upsert('marker', {});
    await expect.poll(() => Object.keys(snapshot(reader.client, own)), POLL).toContain('marker');
    expect(snapshot(reader.client, b)).toEqual({ x: { in: b } });
    expect(unexpected([...writer.errors, ...reader.errors])).toEqual([]);
  });

  it('refusals are SubscriptionErrors with the contracts codes, and change nothing else', async () => {
    const own = uniqueName('doc:');
    const limited = await sdkClient(stack(), {
      subject: 'limited',
      repositories: [own],
      tokenProvider: () => stack().token('limited', { read: ['doc:*'], write: ['doc:*'] }),
    });
    limited.client.start();
    await limited.client.whenLive();
    const secret = limited.client.subscribe(uniqueName('secret'));
    const wide = limited.client.subscribe('*');
    await expect(secret.whenLive()).rejects.toBeInstanceOf(SubscriptionError);
    await expect(wide.whenLive()).rejects.toMatchObject({ code: 'FORBIDDEN', retryable: false });
    expect(secret.error?.code).toBe('FORBIDDEN');

    const big = limited.client.joinPresence(own, { blob: 'x'.repeat(5_000) });
    await expect.poll(() => big.status, POLL).toBe('refused');
    expect(big.error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', repository: own });
    expect(limited.client.state.status).toBe('live');
    await limited.client.repository(own).upsert('still', { ok: true });
    await limited.client.flushed();
    expect(limited.errors.map((e) => e.kind === 'server_error' && e.code).sort()).toEqual([
      'FORBIDDEN',
      'FORBIDDEN',
      'PAYLOAD_TOO_LARGE',
    ]);
  });

  it('a subscription resumes from its cursor across reconnects mid-stream: every event once, in order', async () => {
    const repo = uniqueName('stream');
    const writer = await sdkClient(stack(), { subject: 'writer', repositories: [repo], gateway: 0 });
    const reader = await sdkClient(stack(), { subject: 'reader', repositories: [], gateway: 1 });
    writer.client.start();
    reader.client.start();
    await Promise.all([writer.client.whenLive(), reader.client.whenLive()]);
    await reader.client.subscribe(repo).whenLive();

    const total = 240;
    const write = (from: number, to: number) => {
      for (let i = from; i < to; i++) void writer.client.repository(repo).upsert(`e${i}`, { i });
    };
    const readerHas = (n: number) =>
      expect.poll(() => Object.keys(snapshot(reader.client, repo)).length, POLL).toBeGreaterThanOrEqual(n);
    // Mid-stream, with writes in flight: the network drops the reader (no close frame), later it drops itself.
    write(0, 80);
    await readerHas(40);
    reader.sockets.at(-1)?.terminate();
    write(80, 160);
    await readerHas(120);
    reader.client.reconnect();
    write(160, total);
    await writer.client.flushed();
    await expect.poll(() => Object.keys(snapshot(reader.client, repo)).length, POLL).toBe(total);
    expect(snapshot(reader.client, repo)).toEqual(snapshot(writer.client, repo));

    const catchUps = requestsOf(reader.sent, repo);
    expect(catchUps.filter((f) => f.type === 'subscribe').length).toBeGreaterThanOrEqual(3);
    const received = sequencesReceived(reader.received, repo);
    expect(received).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(unexpected(reader.errors)).toEqual([]);
  });

  it('presence across two gateways: snapshot, joins, meta changes and leaves', async () => {
    const room = uniqueName('room');
    const alice = await sdkClient(stack(), { subject: 'alice', repositories: [], gateway: 0 });
    const bob = await sdkClient(stack(), { subject: 'bob', repositories: [], gateway: 1 });
    alice.client.start();
    bob.client.start();
    await Promise.all([alice.client.whenLive(), bob.client.whenLive()]);

    const alicePresence = alice.client.joinPresence(room, { name: 'Alice' });
    const seen: string[] = [];
    alicePresence.onChange((_members, change) => {
      for (const member of change.joins) seen.push(`join ${member.subject}`);
      for (const sessionId of change.leaves) seen.push(`leave ${sessionId}`);
    });
    await expect.poll(() => alicePresence.members.map((m) => m.subject), POLL).toEqual(['alice']);
    const bobPresence = bob.client.joinPresence(room, { name: 'Bob' });
    await expect
      .poll(() => alicePresence.members.map((m) => m.subject).sort(), POLL)
      .toEqual(['alice', 'bob']);
    await expect.poll(() => bobPresence.members.map((m) => m.subject).sort(), POLL).toEqual(['alice', 'bob']);

    bobPresence.update({ name: 'Bobby' });
    await expect
      .poll(() => alicePresence.members.find((m) => m.subject === 'bob')?.meta, POLL)
      .toEqual({ name: 'Bobby' });
    const bobSession = bobPresence.sessionId;
    await bob.client.stop();
    await expect.poll(() => alicePresence.members.map((m) => m.subject), POLL).toEqual(['alice']);
    expect(seen).toEqual(['join alice', 'join bob', 'join bob', `leave ${String(bobSession)}`]);
    expect(unexpected([...alice.errors, ...bob.errors])).toEqual([]);
  });
});
