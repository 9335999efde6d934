import { WsTestClient, uniqueName } from '@lfsync/testkit';
import { describe, expect, it } from 'vitest';
import { useStack } from './use-stack.ts';
import { authedClient, dartEvent } from './support.ts';

/** Speaks exactly as the Dart `local_first_websocket` client does. */
describe('protocol conformance with the Dart client', () => {
  const stack = useStack();

  it('auth → immediate batch flush → request_all_events → live → request_events(afterSequence) → ping/pong', async () => {
    const [user, log] = [uniqueName('user'), uniqueName('counter_log')];
    const other = await authedClient(stack(), 0, 'other');
    other.send({ type: 'push_event', repository: user, event: dartEvent('bob', { username: 'bob' }) });
    await other.waitForType('ack');

    const dart = await WsTestClient.connect(stack().gatewayUrl());
    // The Dart client sends auth and, without waiting, flushes its offline queue.
    dart.send({ type: 'auth', Authorization: `Bearer ${await stack().token('alice')}` });
    dart.send({
      type: 'push_events_batch',
      repository: log,
      events: [dartEvent('l1', { delta: 1 }), dartEvent('l2', { delta: -1 })],
    });
    expect(await dart.waitForType('auth_success')).toMatchObject({ sessionId: expect.any(String) });
    expect(await dart.waitForType('ack')).toMatchObject({
      eventIds: ['l1', 'l2'],
      repositories: { [log]: ['l1', 'l2'] },
    });

    dart.send({ type: 'request_all_events' });
    await dart.waitForType('sync_complete', (f) => f.repository === undefined);
    const userEvents = dart.eventsOf(user);
    expect(userEvents.map((e) => e._event_id)).toEqual(['bob']);
    expect(userEvents[0]).toMatchObject({
      _operation: 0,
      _data: { id: 'bob', username: 'bob' },
      serverSequence: 1,
    });
    // Its own batch came back live (the echo), then again because request_all_events asked from 0.
    expect(
      dart
        .eventsOf(log)
        .map((e) => e.serverSequence)
        .slice(-2),
    ).toEqual([1, 2]);

    other.send({ type: 'push_event', repository: user, event: dartEvent('bob-2', { username: 'bobby' }, 1) });
    await expect.poll(() => dart.eventsOf(user).map((e) => e._event_id)).toEqual(['bob', 'bob-2']);

    dart.send({ type: 'request_events', repository: user, afterSequence: 1, filter: {} });
    const complete = await dart.waitForType('sync_complete', (f) => f.repository === user);
    expect(complete.lastSequence).toBe(2);
    dart.send({ type: 'events_received', repository: user, count: 2 });
    dart.send({ type: 'ping' });
    await dart.waitForType('pong');
    expect(dart.frames.filter((f) => f.type === 'error')).toEqual([]);
    await Promise.all([dart.close(), other.close()]);
  });

  it('pages a long catch-up to completion (never truncated)', async () => {
    const repo = uniqueName('r');
    const writer = await authedClient(stack(), 0, 'w');
    const total = 2_500;
    for (let i = 0; i < total; i += 500) {
      writer.send({
        type: 'push_events_batch',
        repository: repo,
        events: Array.from({ length: 500 }, (_, j) => dartEvent(`e${i + j}`)),
      });
      await writer.waitForType('ack');
    }
    const reader = await authedClient(stack(), 0, 'r');
    reader.send({ type: 'request_events', repository: repo, afterSequence: 0, limit: 300 });
    await reader.waitForType('sync_complete', (f) => f.repository === repo);
    const pages = reader.frames.filter((f) => f.type === 'events');
    expect(pages.length).toBeGreaterThan(1);
    expect(reader.eventsOf(repo).map((e) => e.serverSequence)).toEqual(
      Array.from({ length: total }, (_, i) => i + 1),
    );
    await Promise.all([writer.close(), reader.close()]);
  });

  it('accepts operations as strings, epoch-ms timestamps and deletes, and echoes the event as given', async () => {
    const repo = uniqueName('r');
    const client = await authedClient(stack(), 0, 'c');
    const events = [
      {
        _event_id: 's1',
        _operation: 'insert',
        _created_at: 1735787045123,
        _data: { id: 'a', nested: { x: [1, 2] } },
        extra: 'kept',
      },
      { _event_id: 's2', _operation: 'delete', _created_at: '2025-01-02T03:04:05Z', _data_id: 'a' },
      {
        _event_id: 's3',
        _operation: 1,
        _created_at: '2025-01-02T03:04:05.123456Z',
        _data: { id: 'b' },
        serverSequence: 999,
        _id: 'x',
      },
    ];
    client.send({ type: 'push_events_batch', repository: repo, events });
    expect((await client.waitForType('ack')).sequences).toEqual({ s1: 1, s2: 2, s3: 3 });
    const { events: received } = await client.catchUp(repo, 0);
    expect(received[0]).toEqual({ ...events[0], serverSequence: 1 });
    expect(received[1]).toEqual({ ...events[1], serverSequence: 2 });
    expect(received[2]).toEqual({
      _event_id: 's3',
      _operation: 1,
      _created_at: '2025-01-02T03:04:05.123456Z',
      _data: { id: 'b' },
      serverSequence: 3,
    });
    await client.close();
  });
});

describe('REST compatibility API', () => {
  const stack = useStack();

  it('serves health, push, batch, pages, by id and latest by data id', async () => {
    const repo = uniqueName('r');
    const auth = {
      authorization: `Bearer ${await stack().token('rest')}`,
      'content-type': 'application/json',
    };
    const base = `${stack().httpUrl()}/api`;
    expect(await (await fetch(`${base}/health`)).json()).toMatchObject({ status: 'ok' });

    const one = await fetch(`${base}/events/${repo}`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify(dartEvent('p1', { v: 1 })),
    });
    expect(one.status).toBe(201);
    expect(await one.json()).toMatchObject({
      status: 'success',
      repository: repo,
      eventId: 'p1',
      eventIds: ['p1'],
      sequences: { p1: 1 },
    });
    const batch = await fetch(`${base}/events/${repo}/batch`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({
        events: [
          dartEvent('p2', { v: 2 }),
          { ...dartEvent('p3', { v: 3 }), _data: { id: 'p1', v: 3 }, _data_id: 'p1' },
        ],
      }),
    });
    expect(batch.status).toBe(201);
    expect(await batch.json()).toMatchObject({
      status: 'success',
      repository: repo,
      eventIds: ['p2', 'p3'],
      count: 2,
      sequences: { p2: 2, p3: 3 },
    });

    const page = await (await fetch(`${base}/events/${repo}?seq=1&limit=1`, { headers: auth })).json();
    expect(page).toMatchObject({
      repository: repo,
      events: [{ _event_id: 'p2', serverSequence: 2 }],
      count: 1,
      hasMore: true,
    });
    expect(await (await fetch(`${base}/events/${repo}/p2`, { headers: auth })).json()).toMatchObject({
      repository: repo,
      event: { serverSequence: 2 },
    });
    expect(await (await fetch(`${base}/events/${repo}/byDataId/p1`, { headers: auth })).json()).toMatchObject(
      { repository: repo, event: { _event_id: 'p3' } },
    );
    const missing = await fetch(`${base}/events/${repo}/nope`, { headers: auth });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({
      error: 'Event not found',
      statusCode: 404,
      code: 'NOT_FOUND',
    });
    const listed = (await (await fetch(`${base}/repositories`, { headers: auth })).json()) as {
      repositories: Array<{ name: string; eventCount: number; maxSequence: number }>;
      count: number;
    };
    expect(listed.repositories).toContainEqual({ name: repo, eventCount: 3, maxSequence: 3 });
    expect(listed.count).toBe(listed.repositories.length);

    const bad = await fetch(`${base}/events/${repo}`, {
      method: 'POST',
      headers: auth,
      body: '{"_event_id": 5}',
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ statusCode: 400, code: 'INVALID_EVENT' });
    const badName = await fetch(`${base}/events/system.users`, { headers: auth });
    expect(badName.status).toBe(400);
    const notJson = await fetch(`${base}/events/${repo}`, { method: 'POST', headers: auth, body: '{nope' });
    expect(await notJson.json()).toMatchObject({ code: 'INVALID_MESSAGE' });
  });
});
