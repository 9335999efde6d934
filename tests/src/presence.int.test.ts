import { busNames } from '@lfsync/contracts';
import { WsTestClient, uniqueName } from '@lfsync/testkit';
import { connect } from '@nats-io/transport-node';
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import { useStack } from './use-stack.ts';

describe('presence across two gateways', () => {
  const stack = useStack({
    gateways: 2,
    gatewayEnv: { PRESENCE_HEARTBEAT_MS: '200', PRESENCE_TIMEOUT_MS: '600', PRESENCE_MAX_MEMBERS: '3' },
  });

  async function member(gateway: number, subject: string, repository: string, meta: Record<string, unknown>) {
    const c = await WsTestClient.connect(stack().gatewayUrl(gateway));
    onTestFinished(() => c.close());
    const auth = await c.auth(await stack().token(subject));
    if (auth.type !== 'auth_success') throw new Error('auth failed');
    c.send({ type: 'subscribe', repository, presence: { meta } });
    return { client: c, sessionId: auth.sessionId };
  }

  it('shows a snapshot on subscribe, joins, meta updates and leaves from the other gateway', async () => {
    const repo = uniqueName('room');
    const alice = await member(0, 'alice', repo, { color: 'red' });
    expect(await alice.client.waitForType('presence')).toEqual({
      type: 'presence',
      repository: repo,
      members: [{ sessionId: alice.sessionId, subject: 'alice', meta: { color: 'red' } }],
    });
    const bob = await member(1, 'bob', repo, { color: 'blue' });
    const snapshot = await bob.client.waitForType('presence');
    expect(snapshot.members.map((m) => m.subject).sort()).toEqual(['alice', 'bob']);
    expect(await alice.client.waitForType('presence_diff')).toEqual({
      type: 'presence_diff',
      repository: repo,
      joins: [{ sessionId: bob.sessionId, subject: 'bob', meta: { color: 'blue' } }],
      leaves: [],
    });
    bob.client.send({ type: 'presence_update', repository: repo, meta: { color: 'green' } });
    expect((await alice.client.waitForType('presence_diff')).joins).toEqual([
      { sessionId: bob.sessionId, subject: 'bob', meta: { color: 'green' } },
    ]);
    await bob.client.close();
    expect(await alice.client.waitForType('presence_diff')).toMatchObject({
      joins: [],
      leaves: [bob.sessionId],
    });
  });

  it('refuses a member beyond PRESENCE_MAX_MEMBERS with PRESENCE_LIMIT, and updates that come too fast', async () => {
    const repo = uniqueName('full');
    for (const [i, name] of ['a', 'b', 'c'].entries()) {
      const m = await member(i % 2, name, repo, {});
      await m.client.waitForType('presence');
    }
    await expect
      .poll(async () => {
        const late = await member(0, 'late', repo, {});
        const reply = await late.client.waitFor((f) => f.type === 'presence' || f.type === 'error');
        return reply.type === 'error' ? reply.code : reply.type;
      })
      .toBe('PRESENCE_LIMIT');

    const other = uniqueName('fast');
    const quick = await member(1, 'quick', other, {});
    await quick.client.waitForType('presence');
    for (let i = 0; i < 10; i++)
      quick.client.send({ type: 'presence_update', repository: other, meta: { i } });
    expect(await quick.client.waitForType('error')).toMatchObject({ code: 'PRESENCE_LIMIT' });
  });

  it('removes the members of a gateway that stopped beating (it died) within PRESENCE_TIMEOUT_MS plus a beat', async () => {
    const repo = uniqueName('dead');
    const names = busNames(stack().prefix);
    // A gateway as the bus sees it: it announces a member and beats, then dies without a word.
    const nc = await connect({ servers: inject('natsUrl') });
    onTestFinished(() => nc.close());
    const ghost = { sessionId: 'ghost-session', subject: 'ghost', meta: {} };
    nc.subscribe(names.presenceSubject(repo), {
      callback: (_err, msg) => {
        const message = msg.json<{ kind: string }>();
        if (message.kind === 'query')
          nc.publish(
            names.presenceSubject(repo),
            JSON.stringify({ kind: 'state', gatewayId: 'ghost-gw', members: [ghost] }),
          );
      },
    });
    const beating = setInterval(
      () => nc.publish(names.presenceHeartbeatSubject, JSON.stringify({ gatewayId: 'ghost-gw' })),
      100,
    );
    const alice = await member(0, 'alice', repo, {});
    const snapshot = await alice.client.waitForType('presence');
    expect(snapshot.members.map((m) => m.subject).sort()).toEqual(['alice', 'ghost']);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(alice.client.frames.some((f) => f.type === 'presence_diff')).toBe(false);
    clearInterval(beating);
    const died = Date.now();
    expect(await alice.client.waitForType('presence_diff', 5_000)).toMatchObject({
      leaves: ['ghost-session'],
    });
    expect(Date.now() - died).toBeLessThan(600 + 200 + 300);
  });
});
