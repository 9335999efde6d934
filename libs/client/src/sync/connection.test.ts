import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from '../backoff.ts';
import { settle, TEST_BACKOFF, TEST_HEARTBEAT, useTestClients } from '../testing/client-fixture.ts';
import { FakeSyncServer } from '../testing/fake-sync-server.ts';

const clients = useTestClients();

const event = (id: string, data: Record<string, unknown>) => ({
  _event_id: `remote-${id}-${Math.random()}`,
  _operation: 0,
  _created_at: '2025-01-01T00:00:00.000Z',
  _data_id: id,
  _data: data,
});

describe('connect → auth → catch-up → flush → live', () => {
  it('sends auth, then subscribe from the cursor for every repository, then the queue, and is live only after catch-up', async () => {
    const server = new FakeSyncServer({ pageSize: 2 });
    for (let i = 1; i <= 5; i++) server.append('todo', event(`t${i}`, { i }));
    const t = await clients.open(server);
    await t.client.repository('todo').upsert('mine', { title: 'offline write' });
    let recordsWhenLive = -1;
    t.client.onStateChange((s) => {
      if (s.status === 'live') recordsWhenLive = t.client.repository('todo').all().length;
    });
    t.client.start();
    await t.client.whenLive();
    await t.client.flushed();

    const connection = server.lastConnection;
    expect(connection.invalidFrames).toEqual([]);
    expect(connection.received.map((f) => f.type)).toEqual([
      'auth',
      'subscribe',
      'subscribe',
      'push_events_batch',
    ]);
    expect(connection.tokens).toEqual(['token-1']);
    expect(connection.sent('subscribe')).toEqual([
      { type: 'subscribe', repository: 'todo', afterSequence: 0 },
      { type: 'subscribe', repository: 'note', afterSequence: 0 },
    ]);
    expect(t.states.map((s) => s.status)).toEqual([
      'connecting',
      'authenticating',
      'syncing',
      'syncing',
      'live',
    ]);
    expect(t.states[2]).toEqual({ status: 'syncing', repositories: ['todo', 'note'] });
    expect(t.states[3]).toEqual({ status: 'syncing', repositories: ['note'] });
    expect(recordsWhenLive).toBe(6);
    expect(server.events('todo')).toHaveLength(6);
    expect(t.client.state).toEqual({ status: 'live', sessionId: 'session-1' });
  });

  it('keeps requesting while a truncating server reports a later head (lastSequence) than it sent', async () => {
    const server = new FakeSyncServer({ catchUpLimit: 2 });
    for (let i = 1; i <= 5; i++) server.append('todo', event(`t${i}`, { i }));
    const t = await clients.started(server);
    await t.client.whenLive();
    expect(server.lastConnection.catchUps('todo').map((f) => f.afterSequence)).toEqual([0, 2, 4]);
    expect(t.client.repository('todo').all()).toHaveLength(5);
  });
});

describe('reconnect', () => {
  it('after a drop, with exponential backoff and full jitter that resets once live', async () => {
    const server = new FakeSyncServer();
    const t = await clients.started(server);
    await t.client.whenLive();
    server.refuseConnections = true;
    server.dropAll();
    await settle();
    const delays: number[] = [];
    for (let attempt = 0; attempt < 6; attempt++) {
      const state = t.client.state;
      expect(state.status).toBe('offline');
      if (state.status !== 'offline') return;
      expect(state.retryInMs).toBe(backoffDelayMs(attempt, TEST_BACKOFF, () => 0.5));
      delays.push(state.retryInMs ?? -1);
      await t.clock.advance((state.retryInMs ?? 0) - 1);
      await settle();
      expect(t.client.state.status).toBe('offline');
      await t.clock.advance(1);
      await settle();
    }
    expect(delays).toEqual([50, 100, 200, 400, 500, 500]);
    expect(
      t.states.filter((s) => s.status === 'offline').map((s) => s.status === 'offline' && s.reason),
    ).toEqual(['closed', ...Array<string>(6).fill('connect_failed')]);

    server.refuseConnections = false;
    await t.clock.advance(500);
    await t.client.whenLive();
    server.dropAll();
    await settle();
    expect(t.client.state).toMatchObject({ status: 'offline', reason: 'closed', retryInMs: 50 });
  });

  it('asks the token provider on every connect', async () => {
    const server = new FakeSyncServer();
    const t = await clients.started(server);
    await t.client.whenLive();
    server.dropAll();
    await settle();
    await t.clock.advance(1_000);
    await t.client.whenLive();
    expect(server.connections.map((c) => c.tokens)).toEqual([['token-1'], ['token-2']]);
    expect(t.tokenCalls()).toBe(2);
  });

  it('reports a failing token provider and retries with backoff', async () => {
    const server = new FakeSyncServer();
    let calls = 0;
    const t = await clients.started(server, {
      tokenProvider: () => {
        calls += 1;
        if (calls === 1) return Promise.reject(new Error('refresh failed'));
        return 'fresh';
      },
    });
    expect(t.client.state).toMatchObject({ status: 'offline', reason: 'token_unavailable' });
    expect(t.errors).toEqual([{ kind: 'token_unavailable', cause: new Error('refresh failed') }]);
    expect(server.connections).toHaveLength(0);
    await t.clock.advance(100);
    await t.client.whenLive();
    expect(server.lastConnection.tokens).toEqual(['fresh']);
  });

  it('surfaces a refused token and retries with a new one', async () => {
    const server = new FakeSyncServer({ acceptToken: (token) => token !== 'token-1' });
    const t = await clients.started(server);
    expect(t.errors).toContainEqual(
      expect.objectContaining({ kind: 'server_error', code: 'INVALID_TOKEN', retryable: false }),
    );
    expect(t.client.state).toMatchObject({ status: 'offline', reason: 'auth_failed' });
    await t.clock.advance(100);
    await t.client.whenLive();
    expect(server.lastConnection.tokens).toEqual(['token-2']);
  });

  it('gives up on a socket that does not authenticate within the connect timeout', async () => {
    const server = new FakeSyncServer();
    const t = await clients.open(server, { connectTimeoutMs: 800 });
    server.acceptSilently = true;
    t.client.start();
    await settle();
    expect(t.client.state.status).toBe('authenticating');
    await t.clock.advance(799);
    expect(t.client.state.status).toBe('authenticating');
    await t.clock.advance(1);
    expect(t.client.state).toMatchObject({ status: 'offline', reason: 'connect_failed' });
    server.acceptSilently = false;
    await t.clock.advance(1_000);
    await t.client.whenLive();
    expect(server.connections).toHaveLength(2);
  });
});

describe('token refresh', () => {
  it('sends a fresh token on the live connection before the current one expires', async () => {
    // Each fresh token lives 120 s longer than the one before.
    const server = new FakeSyncServer({
      tokenExpiresAt: (token) => Date.UTC(2025, 0, 1) + 120_000 * Number(token.slice('token-'.length)),
    });
    const t = await clients.started(server, {
      tokenRefreshMarginMs: 30_000,
      heartbeat: { intervalMs: 600_000, timeoutMs: 1_000 },
    });
    await t.client.whenLive();
    await t.clock.advance(89_999);
    await settle();
    expect(server.lastConnection.tokens).toEqual(['token-1']);
    await t.clock.advance(1);
    await settle();
    expect(server.lastConnection.tokens).toEqual(['token-1', 'token-2']);
    expect(server.connections).toHaveLength(1);
    expect(t.client.state.status).toBe('live');
  });

  it.each([
    // Every token expires at the same moment, already inside the margin: asked again after 10 s.
    { fresh: 'expires no later', expiresAt: () => 20_000, pauseMs: 10_000 },
    // token-n expires 5 s × n after the start, so each lives about 10 s: refreshed at half of that.
    { fresh: 'lives less than the margin', expiresAt: (n: number) => 5_000 * n, pauseMs: 5_000 },
  ])('refreshes again after a pause, not in a loop, when the fresh token $fresh', async (c) => {
    const server = new FakeSyncServer({
      tokenExpiresAt: (token) => Date.UTC(2025, 0, 1) + c.expiresAt(Number(token.slice('token-'.length))),
    });
    const t = await clients.started(server, {
      tokenRefreshMarginMs: 30_000,
      heartbeat: { intervalMs: 600_000, timeoutMs: 1_000 },
    });
    await t.client.whenLive();
    await t.clock.advance(0);
    await settle();
    expect(server.lastConnection.tokens).toEqual(['token-1', 'token-2']);
    await t.clock.advance(c.pauseMs - 1);
    await settle();
    expect(server.lastConnection.tokens).toHaveLength(2);
    await t.clock.advance(1);
    await settle();
    expect(server.lastConnection.tokens).toEqual(['token-1', 'token-2', 'token-3']);
  });

  it('reconnects with a new token when the server says the session expired, keeping unsent events', async () => {
    const server = new FakeSyncServer();
    const t = await clients.started(server);
    await t.client.whenLive();
    const connection = server.lastConnection;
    connection.silent = true;
    await t.client.repository<{ v: number }>('todo').upsert('a', { v: 1 });
    await settle();
    expect(connection.sent('push_events_batch')).toHaveLength(1);
    connection.silent = false;
    connection.send({ type: 'error', code: 'TOKEN_EXPIRED', message: 'token expired' });
    await settle();
    expect(t.client.state).toMatchObject({ status: 'offline', reason: 'auth_failed' });
    expect(t.client.pendingCount).toBe(1);
    await t.clock.advance(1_000);
    await t.client.whenLive();
    await t.client.flushed();
    expect(server.lastConnection.tokens).toEqual(['token-2']);
    expect(server.events('todo')).toHaveLength(1);
    expect(t.errors.filter((e) => e.kind === 'events_rejected')).toEqual([]);
  });
});

describe('heartbeat', () => {
  it('pings every interval and stays live while frames come back', async () => {
    const server = new FakeSyncServer();
    const t = await clients.started(server);
    await t.client.whenLive();
    for (let i = 0; i < 5; i++) {
      await t.clock.advance(TEST_HEARTBEAT.intervalMs);
      await settle();
    }
    expect(server.lastConnection.sent('ping')).toHaveLength(5);
    expect(t.client.state.status).toBe('live');
    expect(server.connections).toHaveLength(1);
  });

  it('declares a silent connection dead after the timeout and reconnects', async () => {
    const server = new FakeSyncServer();
    const t = await clients.started(server);
    await t.client.whenLive();
    server.lastConnection.silent = true;
    await t.clock.advance(TEST_HEARTBEAT.intervalMs);
    await settle();
    expect(t.client.state.status).toBe('live');
    await t.clock.advance(TEST_HEARTBEAT.timeoutMs);
    expect(t.client.state).toMatchObject({ status: 'offline', reason: 'heartbeat_timeout' });
    expect(server.connections[0]?.isOpen).toBe(false);
    await t.clock.advance(1_000);
    await t.client.whenLive();
    expect(server.connections).toHaveLength(2);
  });

  it('answers server pings with pong', async () => {
    const server = new FakeSyncServer();
    const t = await clients.started(server);
    await t.client.whenLive();
    server.lastConnection.send({ type: 'ping' });
    await settle();
    expect(server.lastConnection.sent('pong')).toHaveLength(1);
  });
});

describe('stop', () => {
  it('closes the socket, stays offline, and rejects whenLive()', async () => {
    const server = new FakeSyncServer();
    server.refuseConnections = true;
    const t = await clients.started(server);
    const live = t.client.whenLive();
    await t.client.stop();
    await expect(live).rejects.toThrow('stopped');
    await t.clock.advance(60_000);
    await settle();
    expect(server.connections).toHaveLength(0);
    expect(t.client.state).toEqual({ status: 'offline', reason: 'stopped' });
  });
});
