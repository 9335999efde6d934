import { WsTestClient, uniqueName } from '@lfsync/testkit';
import { describe, expect, inject, it } from 'vitest';
import { startStack } from './stack.ts';
import { useStack } from './use-stack.ts';
import { authedClient, dartEvent, storedEvents } from './support.ts';

describe('bad input: a clear error each, the connection and the server keep working', () => {
  const stack = useStack({
    gatewayEnv: {
      MAX_FRAME_BYTES: '65536',
      MAX_BATCH_EVENTS: '10',
      MAX_DATA_BYTES: '1024',
      INVALID_FRAME_LIMIT: '100',
    },
  });

  it.each([
    ['malformed JSON', '{"type": "ping"', 'INVALID_MESSAGE'],
    ['a JSON array', '[1,2,3]', 'INVALID_MESSAGE'],
    ['a JSON string', '"hello"', 'INVALID_MESSAGE'],
    ['no type', '{"repository":"x"}', 'INVALID_MESSAGE'],
    ['type not a string', '{"type": 5}', 'INVALID_MESSAGE'],
    ['unknown type', '{"type":"publish"}', 'UNKNOWN_TYPE'],
    ['subscribe without a repository', '{"type":"subscribe"}', 'INVALID_REPOSITORY'],
    ['subscribe to an invalid pattern', '{"type":"subscribe","repository":"a*b"}', 'INVALID_REPOSITORY'],
    ['repository with a dot', '{"type":"request_events","repository":"a.b"}', 'INVALID_REPOSITORY'],
    ['repository $cmd', '{"type":"push_event","repository":"$cmd","event":{}}', 'INVALID_REPOSITORY'],
    ['system repository', '{"type":"request_events","repository":"system.users"}', 'INVALID_REPOSITORY'],
    [
      'cursor of the wrong type',
      '{"type":"request_events","repository":"ok","afterSequence":"5"}',
      'INVALID_MESSAGE',
    ],
    [
      'operator object as event id',
      '{"type":"push_event","repository":"ok","event":{"_event_id":{"$gt":""},"_operation":0,"_created_at":0,"_data":{}}}',
      'INVALID_MESSAGE',
    ],
    [
      'batch events not an array',
      '{"type":"push_events_batch","repository":"ok","events":{"0":{}}}',
      'INVALID_MESSAGE',
    ],
  ])('%s → %s', async (_name, frame, code) => {
    const client = await authedClient(stack(), 0, 'bad');
    client.sendRaw(frame);
    expect(await client.waitForType('error')).toMatchObject({ code, message: expect.any(String) });
    client.send({ type: 'ping' });
    await client.waitForType('pong');
    expect(client.isOpen).toBe(true);
    await client.close();
  });

  it('answers binary and oversized frames with an error and keeps the connection', async () => {
    const client = await authedClient(stack(), 0, 'big');
    client.sendRaw(Buffer.from([1, 2, 3]), { binary: true });
    expect(await client.waitForType('error')).toMatchObject({ code: 'INVALID_MESSAGE' });
    client.sendRaw(JSON.stringify({ type: 'ping', pad: 'x'.repeat(70_000) }));
    expect(await client.waitForType('error')).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    client.send({ type: 'ping' });
    await client.waitForType('pong');
    await client.close();
  });

  it('reports each bad event of a batch and stores the good ones; refuses oversized batches and data whole', async () => {
    const repo = uniqueName('r');
    const client = await authedClient(stack(), 0, 'mixed');
    client.send({
      type: 'push_events_batch',
      repository: repo,
      events: [
        dartEvent('good1'),
        { _event_id: 'bad-op', _operation: 7, _created_at: 0, _data: {} },
        dartEvent('huge', { blob: 'x'.repeat(2000) }),
        'junk',
        dartEvent('good2'),
      ],
    });
    const ack = await client.waitForType('ack');
    expect(ack.eventIds).toEqual(['good1', 'good2']);
    const errors = [
      await client.waitForType('error'),
      await client.waitForType('error'),
      await client.waitForType('error'),
    ];
    expect(errors.map((e) => [e.code, e.eventIds])).toEqual([
      ['INVALID_EVENT', ['bad-op']],
      ['PAYLOAD_TOO_LARGE', ['huge']],
      ['INVALID_EVENT', []],
    ]);
    client.send({
      type: 'push_events_batch',
      repository: repo,
      events: Array.from({ length: 11 }, (_, i) => dartEvent(`b${i}`)),
    });
    expect(await client.waitForType('error')).toMatchObject({ code: 'BATCH_TOO_LARGE' });
    const stored = await storedEvents(stack().db(), repo);
    expect(stored.map((d) => [d['s'], d['e']])).toEqual([
      [1, 'good1'],
      [2, 'good2'],
    ]);
    await client.close();
  });

  it('stores prototype-pollution keys and operator keys inside _data as plain data', async () => {
    const repo = uniqueName('r');
    const client = await authedClient(stack(), 0, 'proto');
    client.sendRaw(
      `{"type":"push_event","repository":"${repo}","event":{"_event_id":"p","_operation":0,"_created_at":0,"_data":{"__proto__":{"polluted":true},"$set":{"a":1},"a.b":2}}}`,
    );
    await client.waitForType('ack');
    const { events } = await client.catchUp(repo, 0);
    expect(JSON.stringify(events[0]?.['_data'])).toContain('"$set"');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    await client.close();
  });

  it('closes a connection that keeps sending garbage, and the server keeps serving others', async () => {
    const local = await startStack({
      natsUrl: inject('natsUrl'),
      mongoUrl: inject('mongoUrl'),
      gatewayEnv: { INVALID_FRAME_LIMIT: '5' },
    });
    try {
      const client = await WsTestClient.connect(local.gatewayUrl());
      for (let i = 0; i < 10; i++) client.sendRaw('nope');
      expect((await client.closed).code).toBe(1008);
      const fine = await authedClient(local, 0, 'fine');
      fine.send({ type: 'ping' });
      await fine.waitForType('pong');
      await fine.close();
    } finally {
      await local.stop();
    }
  });

  it('rate-limits a flooding session with RATE_LIMITED and retryAfterMs', async () => {
    const local = await startStack({
      natsUrl: inject('natsUrl'),
      mongoUrl: inject('mongoUrl'),
      gatewayEnv: { RATE_LIMIT_PER_SEC: '5', RATE_LIMIT_BURST: '5' },
    });
    try {
      const client = await authedClient(local, 0, 'flood');
      for (let i = 0; i < 20; i++) client.send({ type: 'ping' });
      expect(await client.waitFor((f) => f.type === 'error')).toMatchObject({
        code: 'RATE_LIMITED',
        retryAfterMs: expect.any(Number),
      });
      expect(client.isOpen).toBe(true);
      await client.close();
    } finally {
      await local.stop();
    }
  });
});
