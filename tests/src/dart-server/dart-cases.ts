import { WsTestClient } from '@lfsync/testkit';
import { expect } from 'vitest';
import { dataOf, eventOf, eventsOf, type DartEvent, type DartHttp } from './dart-http.ts';
import type { DartTarget } from './targets.ts';

/**
 * The 29 test cases of the Dart reference server's `server/test/websocket_server_test.dart`
 * (rafaelsetragni/local_first), T1–T29 in file order, with the same requests and the same assertions.
 * Like the Dart file, the cases share one server and build on each other's data (e.g. "count > 0").
 */

export interface CaseContext {
  target: DartTarget;
  http: DartHttp;
  /**
   * What goes into `auth` frames: a real token in the default-settings runs; in the compatibility run
   * the Dart tests' own placeholder (`"test_token"`, or no token at all in T29).
   */
  wsToken: string | undefined;
}

/**
 * Where our guarantees deliberately differ from the Dart server, and the setting that restores its
 * behaviour (docs/flutter.md):
 * - `strict-events`: events must be what the Dart client library sends (`_operation`, `_created_at`,
 *   `_data`); the Dart tests post bare objects. `EVENT_VALIDATION=loose` restores.
 * - `complete-log`: `GET /api/events/{r}` is the complete log, ascending, for every repository (no
 *   latest-per-`_data_id`, no newest-first `counter_log`). `REST_LIST_VIEW=dart` restores.
 * - `protocol-heartbeat`: the server checks liveness with WebSocket ping frames, which every WebSocket
 *   library answers by itself, instead of `{"type":"ping"}` text frames. `HEARTBEAT=json` restores.
 * (Authentication, the fourth, is the run without tokens: `ANONYMOUS_REPOSITORIES`.)
 */
export type Difference = 'strict-events' | 'complete-log' | 'protocol-heartbeat';

export interface DartCase {
  id: string;
  name: string;
  run(ctx: CaseContext): Promise<void>;
  /** What our server does instead, under default settings, for each difference that applies. */
  differs?: Partial<Record<Difference, (ctx: CaseContext) => Promise<void>>>;
}

const json = { 'Content-Type': 'application/json' };
const ms = () => Date.now();
const isInt = (v: unknown) => typeof v === 'number' && Number.isInteger(v);
const seqOf = (e: DartEvent) => e['serverSequence'] as number;

function expectDescending(values: number[]): void {
  for (let i = 1; i < values.length; i++) expect(values[i]).toBeLessThan(values[i - 1] as number);
}
function expectAscending(values: number[]): void {
  for (let i = 1; i < values.length; i++) expect(values[i]).toBeGreaterThan(values[i - 1] as number);
}

/** Under strict events, the case's first write is refused as an invalid event: nothing else to check. */
function refusedAsInvalidEvent(path: string, body: (stamp: number) => unknown) {
  return async ({ http }: CaseContext) => {
    const reply = await http.post(path, body(ms()));
    expect(reply.status).toBe(400);
    expect(reply.body).toMatchObject({ statusCode: 400, code: 'INVALID_EVENT' });
  };
}

async function connectWs(ctx: CaseContext): Promise<WsTestClient> {
  return WsTestClient.connect(ctx.target.wsRootUrl);
}

async function authenticate(ws: WsTestClient, token: string | undefined): Promise<void> {
  ws.send({ type: 'auth', token: token ?? 'test_token' });
  await ws.waitForType('auth_success', 5_000);
}

export const dartCases: DartCase[] = [
  // Group "REST API - Health and Info Endpoints"
  {
    id: 'T1',
    name: 'GET /api/health returns server status',
    async run({ http }) {
      const reply = await http.get('/api/health');
      expect(reply.status).toBe(200);
      expect(reply.body['status']).toBe('ok');
      expect(reply.body['mongodb']).toBe('connected');
      expect(reply.body).toHaveProperty('timestamp');
      expect(reply.body).toHaveProperty('activeConnections');
    },
  },
  {
    id: 'T2',
    name: 'GET /api/repositories lists all repositories',
    async run({ http }) {
      const reply = await http.get('/api/repositories');
      expect(reply.status).toBe(200);
      expect(reply.body).toHaveProperty('repositories');
      expect(reply.body).toHaveProperty('count');
      expect(Array.isArray(reply.body['repositories'])).toBe(true);
    },
  },

  // Group "REST API - Event Operations"
  {
    id: 'T3',
    name: 'POST /api/events/{repository} creates a single event',
    async run({ http }) {
      const eventId = `test_event_${ms()}`;
      const reply = await http.post('/api/events/test_users', {
        _event_id: eventId,
        id: 'test_user_1',
        username: 'Test User 1',
        createdAt: new Date().toISOString(),
      });
      expect(reply.status).toBe(201);
      expect(reply.body['status']).toBe('success');
      expect(reply.body['repository']).toBe('test_users');
      expect(reply.body['eventId']).toBe(eventId);
    },
    differs: {
      'strict-events': refusedAsInvalidEvent('/api/events/test_users', (t) => ({
        _event_id: `test_event_${t}`,
        id: 'test_user_1',
        username: 'Test User 1',
      })),
    },
  },
  {
    id: 'T4',
    name: 'POST /api/events/{repository}/batch creates multiple events',
    async run({ http }) {
      const t = ms();
      const reply = await http.post('/api/events/test_users/batch', {
        events: [
          { _event_id: `test_batch_1_${t}`, id: 'batch_user_1', username: 'Batch User 1' },
          { _event_id: `test_batch_2_${t}`, id: 'batch_user_2', username: 'Batch User 2' },
        ],
      });
      expect(reply.status).toBe(201);
      expect(reply.body['status']).toBe('success');
      expect(reply.body['repository']).toBe('test_users');
      expect(reply.body['count']).toBe(2);
      expect(reply.body['eventIds']).toHaveLength(2);
    },
    differs: {
      'strict-events': refusedAsInvalidEvent('/api/events/test_users/batch', (t) => ({
        events: [{ _event_id: `test_batch_1_${t}`, id: 'batch_user_1', username: 'Batch User 1' }],
      })),
    },
  },
  {
    id: 'T5',
    name: 'GET /api/events/{repository} fetches all events',
    async run({ http }) {
      await http.post('/api/events/test_users', {
        _event_id: `test_get_${ms()}`,
        id: 'get_user',
        username: 'Get Test User',
      });
      const reply = await http.get('/api/events/test_users');
      expect(reply.status).toBe(200);
      expect(reply.body['repository']).toBe('test_users');
      expect(Array.isArray(reply.body['events'])).toBe(true);
      expect(reply.body['count']).toBeGreaterThan(0);
      for (const event of eventsOf(reply)) {
        expect(isInt(event['serverSequence'])).toBe(true);
        expect(typeof event['_event_id']).toBe('string');
      }
    },
    differs: {
      'strict-events': refusedAsInvalidEvent('/api/events/test_users', (t) => ({
        _event_id: `test_get_${t}`,
        id: 'get_user',
        username: 'Get Test User',
      })),
    },
  },
  {
    id: 'T6',
    name: 'GET /api/events/{repository}?seq={n} filters by sequence',
    async run({ http }) {
      const t = ms();
      await http.post('/api/events/test_sequence', {
        _event_id: `seq_1_${t}`,
        id: 'seq_user_1',
        username: 'Seq User 1',
      });
      await http.post('/api/events/test_sequence', {
        _event_id: `seq_2_${t}`,
        id: 'seq_user_2',
        username: 'Seq User 2',
      });
      const all = eventsOf(await http.get('/api/events/test_sequence'));
      expect(all.length).toBeGreaterThan(0);
      const firstSequence = seqOf(all[0] as DartEvent);
      const reply = await http.get(`/api/events/test_sequence?seq=${firstSequence}`);
      expect(reply.status).toBe(200);
      for (const event of eventsOf(reply)) expect(seqOf(event)).toBeGreaterThan(firstSequence);
    },
    differs: {
      'strict-events': refusedAsInvalidEvent('/api/events/test_sequence', (t) => ({
        _event_id: `seq_1_${t}`,
        id: 'seq_user_1',
        username: 'Seq User 1',
      })),
    },
  },
  {
    id: 'T7',
    name: 'GET /api/events/{repository}/{eventId} fetches specific event',
    async run({ http }) {
      const eventId = `test_specific_${ms()}`;
      await http.post('/api/events/test_users', {
        _event_id: eventId,
        id: 'specific_user',
        username: 'Specific Test User',
      });
      const reply = await http.get(`/api/events/test_users/${eventId}`);
      expect(reply.status).toBe(200);
      expect(reply.body['repository']).toBe('test_users');
      const event = eventOf(reply);
      expect(event['_event_id']).toBe(eventId);
      expect(event['username']).toBe('Specific Test User');
      expect(isInt(event['serverSequence'])).toBe(true);
    },
    differs: {
      'strict-events': refusedAsInvalidEvent('/api/events/test_users', (t) => ({
        _event_id: `test_specific_${t}`,
        id: 'specific_user',
        username: 'Specific Test User',
      })),
    },
  },
  {
    id: 'T8',
    name: 'GET /api/events/{repository}/{eventId} returns 404 for missing event',
    async run({ http }) {
      const reply = await http.get('/api/events/test_users/nonexistent_event');
      expect(reply.status).toBe(404);
      expect(reply.body['error']).toBe('Event not found');
    },
  },
  {
    id: 'T9',
    name: 'GET /api/events/{repository}/byDataId/{dataId} fetches event by dataId',
    async run({ http }) {
      const t = ms();
      const dataId = `data_id_user_${t}`;
      await http.post('/api/events/test_users', {
        _event_id: `event_${t}`,
        _data_id: dataId,
        data: { id: dataId, username: 'DataId Test User' },
      });
      const reply = await http.get(`/api/events/test_users/byDataId/${dataId}`);
      expect(reply.status).toBe(200);
      expect(reply.body['repository']).toBe('test_users');
      const event = eventOf(reply);
      expect(event['_data_id']).toBe(dataId);
      expect(dataOf(event)['username']).toBe('DataId Test User');
      expect(isInt(event['serverSequence'])).toBe(true);
    },
    differs: {
      'strict-events': refusedAsInvalidEvent('/api/events/test_users', (t) => ({
        _event_id: `event_${t}`,
        _data_id: `data_id_user_${t}`,
        data: { id: `data_id_user_${t}`, username: 'DataId Test User' },
      })),
    },
  },
  {
    id: 'T10',
    name: 'GET /api/events/{repository}/byDataId/{dataId} returns 404 for missing dataId',
    async run({ http }) {
      const reply = await http.get('/api/events/test_users/byDataId/nonexistent_data_id');
      expect(reply.status).toBe(404);
      expect(reply.body['error']).toBe('Event not found');
    },
  },
  {
    id: 'T11',
    name: 'GET /api/events/{repository} returns only latest event per dataId',
    async run(ctx) {
      const { dataId, t } = await postVersions(ctx);
      const reply = await ctx.http.get('/api/events/test_deduplication');
      expect(reply.status).toBe(200);
      const mine = eventsOf(reply).filter((e) => e['_data_id'] === dataId);
      expect(mine).toHaveLength(1);
      const latest = mine[0] as DartEvent;
      expect(dataOf(latest)['version']).toBe(3);
      expect(dataOf(latest)['username']).toBe('User V3');
      expect(latest['_event_id']).toBe(`event_3_${t}`);
    },
    differs: {
      'strict-events': refusedAsInvalidEvent('/api/events/test_deduplication', (t) => ({
        _event_id: `event_1_${t}`,
        _data_id: `dedupe_user_${t}`,
        data: { id: `dedupe_user_${t}`, username: 'User V1', version: 1 },
      })),
      // The complete log: every version, ascending.
      async 'complete-log'(ctx) {
        const { dataId } = await postVersions(ctx);
        const reply = await ctx.http.get('/api/events/test_deduplication');
        expect(reply.status).toBe(200);
        const mine = eventsOf(reply).filter((e) => e['_data_id'] === dataId);
        expect(mine.map((e) => dataOf(e)['version'])).toEqual([1, 2, 3]);
        expectAscending(mine.map(seqOf));
      },
    },
  },
  {
    id: 'T12',
    name: 'GET /api/events/{repository}?seq={n} returns only latest event per dataId',
    async run({ http }) {
      const t = ms();
      const [dataId1, dataId2] = [`dedupe_after_seq_1_${t}`, `dedupe_after_seq_2_${t}`];
      const post = (eventId: string, dataId: string, value: string) =>
        http.post('/api/events/test_deduplication_seq', {
          _event_id: eventId,
          _data_id: dataId,
          data: { id: dataId, value },
        });
      await post(`event_1_1_${t}`, dataId1, 'v1');
      await post(`event_1_2_${t}`, dataId1, 'v2');
      await post(`event_2_1_${t}`, dataId2, 'w1');
      const all = eventsOf(await http.get('/api/events/test_deduplication_seq'));
      expect(all.length).toBeGreaterThan(0);
      const firstSequence = seqOf(all[0] as DartEvent);
      const reply = await http.get(`/api/events/test_deduplication_seq?seq=${firstSequence}`);
      expect(reply.status).toBe(200);
      const events = eventsOf(reply);
      expect(events.length).toBeLessThanOrEqual(2);
      expect(new Set(events.map((e) => e['_data_id'])).size).toBe(events.length);
      for (const e of events.filter((x) => x['_data_id'] === dataId1)) expect(dataOf(e)['value']).toBe('v2');
    },
    differs: {
      'strict-events': refusedAsInvalidEvent('/api/events/test_deduplication_seq', (t) => ({
        _event_id: `event_1_1_${t}`,
        _data_id: `dedupe_after_seq_1_${t}`,
        data: { id: `dedupe_after_seq_1_${t}`, value: 'v1' },
      })),
      // No override for complete-log: the Dart assertions hold for the complete log too.
    },
  },
  {
    id: 'T13',
    name: 'GET /api/events/counter_log returns ALL events (no deduplication)',
    async run(ctx) {
      const dataId = await postLogEntries(ctx, 'log', [1, 2, 3]);
      const reply = await ctx.http.get('/api/events/counter_log?limit=100');
      expect(reply.status).toBe(200);
      const mine = eventsOf(reply).filter((e) => e['_data_id'] === dataId);
      expect(mine).toHaveLength(3);
      expect(mine.map((e) => dataOf(e)['value'])).toEqual([3, 2, 1]);
      expectDescending(mine.map(seqOf));
    },
    differs: {
      'strict-events': refusedAsInvalidEvent('/api/events/counter_log', (t) => ({
        _event_id: `log_1_${t}`,
        _data_id: `log_entry_${t}`,
        data: { id: `log_entry_${t}`, action: 'increment', value: 1 },
      })),
      // The complete log, ascending (oldest first) like every repository.
      async 'complete-log'(ctx) {
        const dataId = await postLogEntries(ctx, 'log', [1, 2, 3]);
        const reply = await ctx.http.get('/api/events/counter_log?limit=100');
        expect(reply.status).toBe(200);
        const mine = eventsOf(reply).filter((e) => e['_data_id'] === dataId);
        expect(mine.map((e) => dataOf(e)['value'])).toEqual([1, 2, 3]);
        expectAscending(mine.map(seqOf));
      },
    },
  },
  {
    id: 'T14',
    name: 'GET /api/events/counter_log with afterSequence returns most recent logs',
    async run(ctx) {
      const { newDataId, minSequence } = await postOldAndNewLogs(ctx);
      const reply = await ctx.http.get(`/api/events/counter_log?seq=${minSequence}&limit=5`);
      expect(reply.status).toBe(200);
      const mine = eventsOf(reply).filter((e) => e['_data_id'] === newDataId);
      expect(mine).toHaveLength(3);
      expect(mine.map((e) => dataOf(e)['value'])).toEqual([30, 20, 10]);
      expectDescending(mine.map(seqOf));
    },
    differs: {
      'strict-events': refusedAsInvalidEvent('/api/events/counter_log', (t) => ({
        _event_id: `log_old_1_${t}`,
        _data_id: `log_old_${t}`,
        data: { id: `log_old_${t}`, action: 'increment', value: 1 },
      })),
      // The next 5 after the cursor, ascending: old 2, old 3 and the three new ones.
      async 'complete-log'(ctx) {
        const { newDataId, minSequence } = await postOldAndNewLogs(ctx);
        const reply = await ctx.http.get(`/api/events/counter_log?seq=${minSequence}&limit=5`);
        expect(reply.status).toBe(200);
        const mine = eventsOf(reply).filter((e) => e['_data_id'] === newDataId);
        expect(mine.map((e) => dataOf(e)['value'])).toEqual([10, 20, 30]);
        expectAscending(mine.map(seqOf));
      },
    },
  },

  // Group "REST API - Error Handling"
  {
    id: 'T15',
    name: 'POST /api/events/{repository} returns 400 for missing eventId',
    async run({ http }) {
      const reply = await http.post('/api/events/test_users', { id: 'test_user', username: 'Test User' });
      expect(reply.status).toBe(400);
      expect(reply.body['error']).toContain('_event_id');
    },
  },
  {
    id: 'T16',
    name: 'POST /api/events/{repository}/batch returns 400 for invalid events',
    async run({ http }) {
      const reply = await http.post('/api/events/test_users/batch', { events: 'not an array' });
      expect(reply.status).toBe(400);
    },
  },
  {
    id: 'T17',
    name: 'GET /api/invalid returns 404',
    async run({ http }) {
      const reply = await http.get('/api/invalid');
      expect(reply.status).toBe(404);
      expect(reply.body['error']).toBe('Endpoint not found');
    },
  },
  {
    id: 'T18',
    name: 'POST /api/health returns 405 Method Not Allowed',
    async run({ http }) {
      const reply = await http.post('/api/health', undefined, {});
      expect(reply.status).toBe(405);
      expect(reply.body['error']).toBe('Method not allowed');
    },
  },

  // Group "REST API - Idempotency"
  {
    id: 'T19',
    name: 'Creating same event twice returns success both times',
    async run({ http }) {
      const eventId = `idempotent_${ms()}`;
      const body = { _event_id: eventId, id: 'idempotent_user', username: 'Idempotent User' };
      const first = await http.post('/api/events/test_users', body);
      const second = await http.post('/api/events/test_users', body);
      expect(first.status).toBe(201);
      expect(second.status).toBe(201);
      expect(second.body['status']).toBe('success');
      expect(second.body['eventId']).toBe(eventId);
    },
    differs: {
      'strict-events': refusedAsInvalidEvent('/api/events/test_users', (t) => ({
        _event_id: `idempotent_${t}`,
        id: 'idempotent_user',
        username: 'Idempotent User',
      })),
    },
  },

  // Group "REST API - CORS Headers"
  {
    id: 'T20',
    name: 'OPTIONS request returns CORS headers',
    async run({ http }) {
      const reply = await http.request('OPTIONS', '/api/health');
      expect(reply.status).toBe(200);
      expect(reply.headers.get('access-control-allow-origin')).toBe('*');
      expect(reply.headers.get('access-control-allow-methods')).toContain('GET');
    },
  },
  {
    id: 'T21',
    name: 'GET request includes CORS headers',
    async run({ http }) {
      const reply = await http.get('/api/health');
      expect(reply.headers.get('access-control-allow-origin')).toBe('*');
    },
  },

  // Group "REST API - Server Sequence Assignment"
  {
    id: 'T22',
    name: 'Events receive sequential serverSequence numbers',
    async run({ http }) {
      const t = ms();
      await http.post('/api/events/test_sequence_assignment', {
        _event_id: `seq_assign_1_${t}`,
        data: 'first',
      });
      await http.post('/api/events/test_sequence_assignment', {
        _event_id: `seq_assign_2_${t}`,
        data: 'second',
      });
      const events = eventsOf(await http.get('/api/events/test_sequence_assignment'));
      expectAscending(events.map(seqOf));
      // Not in the Dart test, which passes on an empty list: the two events must be there.
      expect(events.length).toBeGreaterThanOrEqual(2);
    },
    differs: {
      'strict-events': refusedAsInvalidEvent('/api/events/test_sequence_assignment', (t) => ({
        _event_id: `seq_assign_1_${t}`,
        data: 'first',
      })),
    },
  },
  {
    id: 'T23',
    name: 'Creating first event in new repository initializes sequence counter correctly',
    async run({ http }) {
      const t = ms();
      const repository = `test_new_repo_${t}`;
      const created = await http.post(`/api/events/${repository}`, {
        _event_id: `first_event_${t}`,
        data: { test: 'data', created_at: new Date().toISOString() },
      });
      expect(created.status).toBe(201);
      expect(created.body['status']).toBe('success');
      const reply = await http.get(`/api/events/${repository}`);
      expect(reply.status).toBe(200);
      const events = eventsOf(reply);
      expect(events).toHaveLength(1);
      expect(seqOf(events[0] as DartEvent)).toBe(1);
    },
    differs: {
      'strict-events': refusedAsInvalidEvent(`/api/events/test_new_repo_x`, (t) => ({
        _event_id: `first_event_${t}`,
        data: { test: 'data' },
      })),
    },
  },

  // Group "WebSocket - Basic Connection"
  {
    id: 'T24',
    name: 'WebSocket connection succeeds',
    async run(ctx) {
      const ws = await connectWs(ctx);
      await ws.close();
    },
  },
  {
    id: 'T25',
    name: 'WebSocket auth message succeeds',
    async run(ctx) {
      const ws = await connectWs(ctx);
      await authenticate(ws, ctx.wsToken);
      await ws.close();
    },
  },
  {
    id: 'T26',
    name: 'WebSocket ping-pong works',
    async run(ctx) {
      const ws = await connectWs(ctx);
      ws.send({ type: 'ping' });
      await ws.waitForType('pong', 5_000);
      await ws.close();
    },
  },
  {
    id: 'T27',
    name: 'Server sends ping and client responds with pong',
    async run(ctx) {
      const ws = await connectWs(ctx);
      await authenticate(ws, ctx.wsToken);
      const ping = await ws.waitForType('ping', 10_000);
      ws.send({ type: 'pong' });
      expect(ping.type).toBe('ping');
      await ws.close();
    },
    differs: {
      // WebSocket-level pings instead: the session stays alive while its library answers them.
      'protocol-heartbeat': async (ctx) => {
        const ws = await connectWs(ctx);
        await authenticate(ws, ctx.wsToken);
        await new Promise((resolve) => setTimeout(resolve, 5_000));
        expect(ws.isOpen).toBe(true);
        expect(ws.frames.some((f) => f.type === 'ping')).toBe(false);
        await ws.close();
      },
    },
  },
  {
    id: 'T28',
    name: 'Server disconnects client after pong timeout',
    async run(ctx) {
      const ws = await connectWs(ctx);
      await authenticate(ws, ctx.wsToken);
      // Never answers the JSON pings (the socket library still answers protocol-level pings, as dart:io does).
      const closed = await Promise.race([
        ws.closed.then(() => true),
        new Promise<false>((resolve) => setTimeout(() => resolve(false), 15_000)),
      ]);
      if (!closed) ws.terminate();
      expect(closed).toBe(true);
    },
    differs: {
      // A client whose library answers WebSocket pings is alive, whatever it sends.
      'protocol-heartbeat': async (ctx) => {
        const ws = await connectWs(ctx);
        await authenticate(ws, ctx.wsToken);
        await new Promise((resolve) => setTimeout(resolve, 5_000));
        expect(ws.isOpen).toBe(true);
        await ws.close();
      },
    },
  },

  // Group "Integration - REST and WebSocket"
  {
    id: 'T29',
    name: 'Event created via REST is broadcast to WebSocket clients',
    async run(ctx) {
      const ws = await connectWs(ctx);
      ws.send({ type: 'auth', ...(ctx.wsToken === undefined ? {} : { token: ctx.wsToken }) });
      await new Promise((resolve) => setTimeout(resolve, 500));
      const eventId = `broadcast_test_${ms()}`;
      await ctx.http.post('/api/events/test_broadcast', { _event_id: eventId, data: 'broadcast test' });
      // The Dart test passes whether or not the frame comes; ours must deliver it.
      const frame = await ws.waitFor(
        (f) =>
          f.type === 'events' &&
          f['repository'] === 'test_broadcast' &&
          (f['events'] as DartEvent[]).some((e) => e['_event_id'] === eventId),
        5_000,
      );
      expect(frame.type).toBe('events');
      await ws.close();
    },
    differs: {
      'strict-events': refusedAsInvalidEvent('/api/events/test_broadcast', (t) => ({
        _event_id: `broadcast_test_${t}`,
        data: 'broadcast test',
      })),
    },
  },
];

async function postVersions({ http }: CaseContext): Promise<{ dataId: string; t: number }> {
  const t = ms();
  const dataId = `dedupe_user_${t}`;
  for (const version of [1, 2, 3]) {
    await http.post('/api/events/test_deduplication', {
      _event_id: `event_${version}_${t}`,
      _data_id: dataId,
      data: { id: dataId, username: `User V${version}`, version },
    });
  }
  return { dataId, t };
}

/** Posts `log_<n>_<t>` events to counter_log under one `_data_id`; each must be created (201). */
async function postLogEntries({ http }: CaseContext, prefix: string, values: number[]): Promise<string> {
  const t = ms();
  const dataId = `${prefix === 'log' ? 'log_entry' : prefix}_${t}`;
  for (const [i, value] of values.entries()) {
    const reply = await http.post(
      '/api/events/counter_log',
      {
        _event_id: `${prefix}_${i + 1}_${t}`,
        _data_id: dataId,
        data: { id: dataId, action: 'increment', value },
      },
      json,
    );
    expect(reply.status, `log ${i + 1} should be created`).toBe(201);
  }
  return dataId;
}

async function postOldAndNewLogs(ctx: CaseContext): Promise<{ newDataId: string; minSequence: number }> {
  const oldDataId = await postLogEntries(ctx, 'log_old', [1, 2, 3]);
  const old = eventsOf(await ctx.http.get('/api/events/counter_log?limit=100')).filter(
    (e) => e['_data_id'] === oldDataId,
  );
  expect(old.length).toBeGreaterThan(0);
  const minSequence = Math.min(...old.map(seqOf));
  const newDataId = await postLogEntries(ctx, 'log_new', [10, 20, 30]);
  return { newDataId, minSequence };
}
