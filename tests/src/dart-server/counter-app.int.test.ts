import { randomUUID } from 'node:crypto';
import { WsTestClient } from '@lfsync/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DartHttp, eventOf, eventsOf, type DartEvent } from './dart-http.ts';
import { startTarget, type DartTarget, type StackKind } from './targets.ts';

/** The repositories the upstream counter app syncs (its periodic strategy's list). */
const APP_REPOSITORIES = 'user,counter_log,session_counter';

/** An event as the Dart library serialises it (`LocalFirstEvent.toJson`). */
function appEvent(dataId: string, data: Record<string, unknown>, operation: 0 | 1 = 0): DartEvent {
  return {
    _event_id: randomUUID(),
    _operation: operation,
    _created_at: new Date().toISOString(),
    _data: { id: dataId, ...data },
    _data_id: dataId,
  };
}

/**
 * The upstream counter app's REST flows (counter_app/lib/services/repository_service.dart), with its
 * exact requests — no Authorization header — against the compatibility mode.
 */
describe.each<StackKind>(['embedded', 'nats-mongo'])(
  'the upstream counter app on %s, compatibility mode',
  (kind) => {
    let target: DartTarget;
    let app: DartHttp;
    beforeAll(async () => {
      target = await startTarget(
        kind,
        { ANONYMOUS_REPOSITORIES: APP_REPOSITORIES, REST_LIST_VIEW: 'dart' },
        { natsUrl: inject('natsUrl'), mongoUrl: inject('mongoUrl') },
      );
      app = new DartHttp(target.baseUrl, undefined);
    });
    afterAll(() => target?.stop());

    it('signs up, pushes, fetches with ?seq= and signs in again', async () => {
      const userId = 'alice';
      // Sign-in lookup of a new user: 404 means "create it locally".
      const lookup = await app.get(`/api/events/user/byDataId/${userId}`);
      expect(lookup.status).toBe(404);

      // The periodic push of the pending user: only 201 counts as synced.
      const createdAt = new Date().toISOString();
      const user = appEvent(userId, {
        username: userId,
        created_at: createdAt,
        updated_at: createdAt,
        avatar_url: null,
      });
      const pushed = await app.post('/api/events/user/batch', { events: [user] });
      expect(pushed.status).toBe(201);

      // The periodic fetch without a saved sequence, then with `?seq=` = the max serverSequence seen.
      const first = await app.get('/api/events/user');
      expect(first.status).toBe(200);
      const fetched = eventsOf(first);
      expect(fetched.map((e) => e['_event_id'])).toContain(user['_event_id']);
      const lastSeq = Math.max(...fetched.map((e) => e['serverSequence'] as number));
      expect(Number.isInteger(lastSeq)).toBe(true);
      const next = await app.get(`/api/events/user?seq=${lastSeq}`);
      expect(next.status).toBe(200);
      expect(eventsOf(next)).toEqual([]);

      // An avatar change, then sign-in again: 200 with `event.data` a map holding `created_at`.
      const updated = appEvent(userId, { username: userId, created_at: createdAt, avatar_url: 'a.png' }, 1);
      expect((await app.post('/api/events/user/batch', { events: [updated] })).status).toBe(201);
      const signIn = await app.get(`/api/events/user/byDataId/${userId}`);
      expect(signIn.status).toBe(200);
      const event = eventOf(signIn);
      // Ours is the latest version (the Dart server returns the first one it finds: the oldest).
      expect(event['_event_id']).toBe(updated['_event_id']);
      expect(event['data']).toMatchObject({ id: userId, created_at: createdAt, avatar_url: 'a.png' });
    });

    it('reads counter_log newest first, 5 by default, and session_counter latest per entity', async () => {
      const logs = Array.from({ length: 7 }, (_, i) => appEvent(`log-${i}`, { delta: 1, n: i }));
      expect((await app.post('/api/events/counter_log/batch', { events: logs })).status).toBe(201);
      const page = eventsOf(await app.get('/api/events/counter_log?seq=0'));
      expect(page.map((e) => e['_data_id'])).toEqual(['log-6', 'log-5', 'log-4', 'log-3', 'log-2']);

      const session = 'session-alice';
      const counters = [appEvent(session, { count: 1 }), appEvent(session, { count: 2 }, 1)];
      // The chat app's header variant; the server reads the body the same way.
      const pushed = await app.post(
        '/api/events/session_counter/batch',
        { events: counters },
        { 'Content-Type': 'application/json; charset=utf-8' },
      );
      expect(pushed.status).toBe(201);
      const latest = eventsOf(await app.get('/api/events/session_counter'));
      expect(latest.filter((e) => e['_data_id'] === session).map((e) => e['_data'])).toEqual([
        { id: session, count: 2 },
      ]);
    });

    it('keeps every other repository behind a token', async () => {
      expect((await app.get('/api/events/private_notes')).status).toBe(401);
      const write = await app.post('/api/events/private_notes', appEvent('n1', {}));
      expect(write.status).toBe(401);
      const withToken = new DartHttp(target.baseUrl, await target.token());
      expect((await withToken.get('/api/events/private_notes')).status).toBe(200);
    });

    it('syncs over the WebSocket without a token: auth, push, request_events', async () => {
      const ws = await WsTestClient.connect(target.wsSyncUrl);
      ws.send({ type: 'auth' });
      await ws.waitForType('auth_success', 5_000);
      const event = appEvent('log-ws', { delta: 1 });
      ws.send({ type: 'push_event', repository: 'counter_log', event });
      expect(await ws.waitForType('ack')).toMatchObject({ eventIds: [event['_event_id']] });
      ws.send({ type: 'request_events', repository: 'private_notes', afterSequence: 0 });
      expect(await ws.waitForType('error')).toMatchObject({ code: 'FORBIDDEN' });
      await ws.close();
    });
  },
);

describe('the compatibility mode in production', () => {
  it('is refused at start when PRODUCTION=true', async () => {
    const started = startTarget(
      'embedded',
      { ANONYMOUS_REPOSITORIES: APP_REPOSITORIES, PRODUCTION: 'true' },
      { natsUrl: inject('natsUrl'), mongoUrl: inject('mongoUrl') },
    );
    const outcome = await started.then(
      async (target) => {
        await target.stop();
        return 'started';
      },
      (err: unknown) => String(err),
    );
    expect(outcome).toMatch(/ANONYMOUS_REPOSITORIES.*PRODUCTION=true/s);
  });
});
