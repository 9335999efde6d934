import { describe, expect, it } from 'vitest';
import { clientMessageSchema, tokenOfAuthMessage, authMessageSchema } from './client-messages.ts';

const dartEvent = {
  _event_id: '01936b2e-7c1a-7000-8000-0123456789ab',
  _operation: 0,
  _created_at: '2025-01-02T03:04:05.123456Z',
  _data: { id: 'alice', username: 'alice', avatar_url: null },
  _data_id: 'alice',
};

describe('client messages', () => {
  it.each([
    ['auth with token', { type: 'auth', token: 'abc' }],
    ['auth with headers spread (Dart)', { type: 'auth', Authorization: 'Bearer abc', 'X-App': 'counter' }],
    ['auth without anything', { type: 'auth' }],
    ['ping', { type: 'ping' }],
    ['pong', { type: 'pong' }],
    ['push_event (Dart)', { type: 'push_event', repository: 'user', event: dartEvent }],
    [
      'push_event with string operation',
      { type: 'push_event', repository: 'user', event: { ...dartEvent, _operation: 'update' } },
    ],
    [
      'push_event with epoch ms',
      { type: 'push_event', repository: 'user', event: { ...dartEvent, _created_at: 1735787045123 } },
    ],
    [
      'push_event with no fraction',
      {
        type: 'push_event',
        repository: 'user',
        event: { ...dartEvent, _created_at: '2025-01-02T03:04:05Z' },
      },
    ],
    [
      'push_event delete',
      {
        type: 'push_event',
        repository: 'user',
        event: { _event_id: 'e', _operation: 2, _created_at: '2025-01-02T03:04:05.1', _data_id: 'x' },
      },
    ],
    [
      'push_events_batch (Dart)',
      { type: 'push_events_batch', repository: 'counter_log', events: [dartEvent, dartEvent] },
    ],
    ['request_events (Dart)', { type: 'request_events', repository: 'user', afterSequence: 12, filter: {} }],
    ['request_events without cursor', { type: 'request_events', repository: 'user' }],
    ['request_all_events (Dart)', { type: 'request_all_events' }],
    ['request_all_events one repo', { type: 'request_all_events', repository: 'user', limit: 100 }],
    ['events_received (Dart)', { type: 'events_received', repository: 'user', count: 3 }],
  ])('accepts %s', (_name, frame) => {
    expect(clientMessageSchema.safeParse(frame).success).toBe(true);
  });

  it.each([
    ['no type', { repository: 'user' }],
    ['unknown type', { type: 'subscribe' }],
    ['repository with a dot', { type: 'request_events', repository: 'a.b' }],
    ['repository with $', { type: 'request_events', repository: '$cmd' }],
    ['repository with leading underscore', { type: 'request_events', repository: '_x' }],
    ['system repository', { type: 'request_events', repository: 'system.users' }],
    ['repository too long', { type: 'request_events', repository: 'a'.repeat(65) }],
    ['negative cursor', { type: 'request_events', repository: 'user', afterSequence: -1 }],
    ['fractional cursor', { type: 'request_events', repository: 'user', afterSequence: 1.5 }],
    ['string cursor', { type: 'request_events', repository: 'user', afterSequence: '3' }],
    ['event without id', { type: 'push_event', repository: 'user', event: { ...dartEvent, _event_id: '' } }],
    [
      'event id too long',
      { type: 'push_event', repository: 'user', event: { ...dartEvent, _event_id: 'x'.repeat(129) } },
    ],
    ['bad operation', { type: 'push_event', repository: 'user', event: { ...dartEvent, _operation: 3 } }],
    [
      'bad timestamp',
      { type: 'push_event', repository: 'user', event: { ...dartEvent, _created_at: 'yesterday' } },
    ],
    [
      '7 fractional digits',
      {
        type: 'push_event',
        repository: 'user',
        event: { ...dartEvent, _created_at: '2025-01-02T03:04:05.1234567Z' },
      },
    ],
    [
      'insert without data',
      { type: 'push_event', repository: 'user', event: { _event_id: 'e', _operation: 0, _created_at: 0 } },
    ],
    [
      'delete without data id',
      { type: 'push_event', repository: 'user', event: { _event_id: 'e', _operation: 2, _created_at: 0 } },
    ],
    ['data not an object', { type: 'push_event', repository: 'user', event: { ...dartEvent, _data: [1] } }],
    [
      'operator object as id',
      { type: 'push_event', repository: 'user', event: { ...dartEvent, _event_id: { $gt: '' } } },
    ],
    ['batch not an array', { type: 'push_events_batch', repository: 'user', events: {} }],
    ['events_received without count', { type: 'events_received', repository: 'user' }],
  ])('rejects %s', (_name, frame) => {
    expect(clientMessageSchema.safeParse(frame).success).toBe(false);
  });

  it('drops a client-supplied serverSequence and _id but keeps unknown keys', () => {
    const parsed = clientMessageSchema.parse({
      type: 'push_event',
      repository: 'user',
      event: { ...dartEvent, serverSequence: 99, _id: 'x', extra: 1 },
    });
    if (parsed.type !== 'push_event') throw new Error('wrong type');
    expect(parsed.event).not.toHaveProperty('serverSequence');
    expect(parsed.event).not.toHaveProperty('_id');
    expect(parsed.event).toHaveProperty('extra', 1);
  });

  it('finds the token in `token` or in a spread Authorization header', () => {
    expect(tokenOfAuthMessage(authMessageSchema.parse({ type: 'auth', token: 't1' }))).toBe('t1');
    expect(tokenOfAuthMessage(authMessageSchema.parse({ type: 'auth', Authorization: 'Bearer t2' }))).toBe(
      't2',
    );
    expect(tokenOfAuthMessage(authMessageSchema.parse({ type: 'auth', authorization: 'bearer t3' }))).toBe(
      't3',
    );
    expect(
      tokenOfAuthMessage(authMessageSchema.parse({ type: 'auth', Authorization: 'Basic x' })),
    ).toBeUndefined();
    expect(tokenOfAuthMessage(authMessageSchema.parse({ type: 'auth' }))).toBeUndefined();
  });
});
