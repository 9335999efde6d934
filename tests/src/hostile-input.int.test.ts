import { MongoEventStore } from '@lfsync/event-store';
import { CLIENT_MESSAGE_TYPES, ERROR_CODE_LIST, serverEventSchema } from '@lfsync/contracts';
import { WsTestClient, uniqueName } from '@lfsync/testkit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { useStack } from './use-stack.ts';
import { authedClient } from './support.ts';

// `auth` is fuzzed on its own: a bad token ends the connection by design.
const TYPES = CLIENT_MESSAGE_TYPES.filter((t) => t !== 'auth');
const hostileKey = fc.constantFrom(
  '__proto__',
  'constructor',
  'prototype',
  '$gt',
  '$where',
  'a.b',
  '',
  '_id',
  'serverSequence',
);
const hostileScalar = fc.oneof(
  fc.constant({ $gt: '' }),
  fc.constant({ __proto__: { polluted: true } }),
  fc.string({ maxLength: 20 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.string({ minLength: 5_000, maxLength: 20_000 }),
);
const deep = fc
  .integer({ min: 1, max: 3_000 })
  .map((n) => JSON.parse('['.repeat(n) + ']'.repeat(n)) as unknown);
/** Nesting as JSON text (arrays or objects, up to 8,000 deep): built as text, never recursively. */
const deepText = fc
  .record({ depth: fc.integer({ min: 1, max: 8_000 }), array: fc.boolean() })
  .map(({ depth, array }) =>
    array ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth),
  );
const deepEventText = (eventId: string, data: string) =>
  `{"_event_id":"${eventId}","_operation":0,"_created_at":0,"_data":${data}}`;
const MAX_DATA_DEPTH = 64;
const eventLike = fc.record(
  {
    _event_id: fc.oneof(fc.string({ maxLength: 140 }), hostileScalar),
    _operation: fc.oneof(
      fc.constantFrom(0, 1, 2, 3, -1, 'insert', 'update', 'delete', 'drop'),
      hostileScalar,
    ),
    _created_at: fc.oneof(
      fc.constantFrom('2025-01-01T00:00:00Z', 'yesterday', 1_700_000_000_000, -5),
      hostileScalar,
    ),
    _data: fc.oneof(
      fc.dictionary(fc.oneof(fc.string({ maxLength: 10 }), hostileKey), fc.jsonValue({ maxDepth: 3 })),
      hostileScalar,
      deep,
    ),
    _data_id: fc.oneof(fc.string({ maxLength: 10 }), hostileScalar),
  },
  { requiredKeys: [] },
);
const repository = fc.oneof(
  fc.constantFrom('ok_repo', 'a.b', '$cmd', '_hidden', 'system.users', 'x'.repeat(65), ''),
  hostileScalar,
);
const frame = fc.oneof(
  fc.record({ type: fc.constantFrom(...TYPES), repository, event: eventLike }, { requiredKeys: ['type'] }),
  fc.record({
    type: fc.constantFrom('push_events_batch'),
    repository,
    events: fc.oneof(fc.array(eventLike, { maxLength: 20 }), hostileScalar),
  }),
  fc.record({
    type: fc.constantFrom('request_events'),
    repository,
    afterSequence: fc.oneof(fc.nat(), hostileScalar),
    limit: fc.oneof(fc.nat(), hostileScalar),
  }),
  fc.record({
    type: fc.oneof(
      fc.string({ maxLength: 30 }).filter((t) => t !== 'auth'),
      hostileScalar,
    ),
  }),
  fc.dictionary(hostileKey, fc.jsonValue({ maxDepth: 2 })),
);
const rawText = fc.oneof(
  frame.map((f) => JSON.stringify(f)),
  fc.string({ maxLength: 200 }),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  deep.map((v) => `{"type":"ping","x":${JSON.stringify(v)}}`),
  deepText.map((d) => `{"type":"push_event","repository":"ok_repo","event":${deepEventText('deep', d)}}`),
  deepText.map(
    (d) => `{"type":"push_events_batch","repository":"ok_repo","events":[${deepEventText('deep', d)}]}`,
  ),
  fc.constant(
    '{"type":"push_event","repository":"ok_repo","event":{"__proto__":{"isAdmin":true},"_event_id":"p","_operation":0,"_created_at":0,"_data":{}}}',
  ),
);

describe('hostile input (property-based)', () => {
  const stack = useStack({
    gatewayEnv: {
      INVALID_FRAME_LIMIT: '1000000',
      RATE_LIMIT_PER_SEC: '100000',
      RATE_LIMIT_BURST: '100000',
      MAX_FRAME_BYTES: '262144',
    },
  });

  it('answers every frame over WebSocket without crashing or storing anything invalid', async () => {
    const client = await authedClient(stack(), 0, 'fuzzer');
    let cases = 0;
    await fc.assert(
      fc.asyncProperty(rawText, async (text) => {
        cases += 1;
        const before = client.frames.length;
        client.sendRaw(text);
        client.send({ type: 'ping' });
        await client.waitForType('pong', 10_000);
        for (const reply of client.frames.slice(before)) {
          if (reply.type === 'error') expect(ERROR_CODE_LIST).toContain(reply.code);
        }
        expect(client.isOpen).toBe(true);
      }),
      { numRuns: 400, seed: Number(process.env['FC_SEED'] ?? 42) },
    );
    // Every stored event is a valid event, whatever was thrown at the gateway.
    const store = new MongoEventStore(stack().db(), { compaction: false });
    const stored = [];
    for (const repository of await store.repositories())
      for await (const page of store.scanAfter(repository, 0, 1_000)) stored.push(...page);
    for (const event of stored)
      expect(serverEventSchema.safeParse(JSON.parse(event.json)).success).toBe(true);
    expect(({} as Record<string, unknown>)['isAdmin']).toBeUndefined();
    console.log(`hostile input: ${cases} WebSocket frames tried, ${stored.length} valid events stored`);
    await client.close();
  });

  it('refuses events nested deeper than MAX_DATA_DEPTH with NESTING_TOO_DEEP and takes the others', async () => {
    const client = await authedClient(stack(), 0, 'deep-fuzzer');
    const repo = uniqueName('r');
    let cases = 0;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 8_000 }), async (depth) => {
        cases += 1;
        const eventId = `deep-${cases}`;
        const data = '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
        client.sendRaw(
          `{"type":"push_event","repository":"${repo}","event":${deepEventText(eventId, data)}}`,
        );
        const reply = await client.waitFor(
          (f) => (f.type === 'ack' || f.type === 'error') && f.eventIds?.includes(eventId) === true,
        );
        if (depth <= MAX_DATA_DEPTH) expect(reply.type).toBe('ack');
        else expect(reply).toMatchObject({ type: 'error', code: 'NESTING_TOO_DEEP' });
      }),
      { numRuns: 60, seed: Number(process.env['FC_SEED'] ?? 42), examples: [[64], [65], [5_000]] },
    );
    expect(client.isOpen).toBe(true);
    console.log(`hostile input: ${cases} nesting depths tried`);
    await client.close();
  });

  it('refuses every malformed auth frame with a token error and closes 4401', async () => {
    let cases = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          {
            token: fc.oneof(fc.string({ maxLength: 300 }), hostileScalar),
            Authorization: fc.oneof(fc.string(), hostileScalar),
          },
          { requiredKeys: [] },
        ),
        async (fields) => {
          cases += 1;
          const client = await WsTestClient.connect(stack().gatewayUrl());
          client.sendRaw(JSON.stringify({ type: 'auth', ...fields }));
          const reply = await client.waitFor((f) => f.type === 'error' || f.type === 'auth_success');
          expect(reply.type).toBe('error');
          const code = reply.type === 'error' ? reply.code : undefined;
          expect(['INVALID_TOKEN', 'TOKEN_EXPIRED', 'INVALID_MESSAGE']).toContain(code);
          if (code !== 'INVALID_MESSAGE') expect((await client.closed).code).toBe(4401);
          else await client.close();
        },
      ),
      { numRuns: 100, seed: Number(process.env['FC_SEED'] ?? 42) },
    );
    console.log(`hostile input: ${cases} auth frames tried`);
  });

  it('answers every REST request with JSON and a status, never a crash', async () => {
    const token = await stack().token('rest-fuzzer');
    let cases = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.constantFrom('ok_repo', 'a.b', '%24cmd', '..%2F..%2Fetc', 'x'.repeat(70)),
          fc.string({ maxLength: 20 }).map(encodeURIComponent),
        ),
        fc.constantFrom(
          '',
          '/batch',
          '/some-id',
          '/byDataId/x',
          '?seq=-1',
          '?seq=abc&limit=99999999',
          '?seq=1e400',
        ),
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'),
        rawText,
        async (repo, suffix, method, body) => {
          cases += 1;
          const response = await fetch(`${stack().httpUrl()}/api/events/${repo}${suffix}`, {
            method,
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            ...(method === 'GET' || method === 'DELETE' ? {} : { body }),
          });
          expect(response.status).toBeLessThan(500);
          const json = (await response.json()) as Record<string, unknown>;
          if (response.status >= 400) expect(ERROR_CODE_LIST).toContain(json['code']);
        },
      ),
      { numRuns: 300, seed: Number(process.env['FC_SEED'] ?? 42) },
    );
    console.log(`hostile input: ${cases} REST requests tried`);
    const health = await fetch(`${stack().httpUrl()}/healthz`);
    expect(health.status).toBe(200);
  });

  it('survives a flood of connections and frames and keeps serving', async () => {
    const floods = await Promise.all(
      Array.from({ length: 30 }, () => WsTestClient.connect(stack().gatewayUrl())),
    );
    for (const f of floods)
      for (let i = 0; i < 50; i++) f.sendRaw(i % 2 === 0 ? 'garbage' : '{"type":"request_all_events"}');
    const fine = await authedClient(stack(), 0, 'survivor');
    const repo = uniqueName('r');
    fine.send({
      type: 'push_event',
      repository: repo,
      event: { _event_id: 'ok', _operation: 0, _created_at: 0, _data: {} },
    });
    expect(await fine.waitForType('ack')).toMatchObject({ eventIds: ['ok'] });
    for (const f of floods) f.terminate();
    await fine.close();
  });
});
