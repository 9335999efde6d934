import { describe, expect, it } from 'vitest';
import {
  batchReply,
  createdReply,
  eventListBody,
  healthBody,
  repositoriesBody,
  singleEventBody,
  withDataAlias,
} from './dart-rest-shapes.ts';

const stored = '{"_event_id":"e1","username":"U","serverSequence":1}';

describe('Dart REST shapes', () => {
  it('single event: {repository, event}', () => {
    expect(JSON.parse(singleEventBody('test_users', stored))).toEqual({
      repository: 'test_users',
      event: { _event_id: 'e1', username: 'U', serverSequence: 1 },
    });
  });

  it('list: {repository, events, count, hasMore}', () => {
    expect(JSON.parse(eventListBody('r', [stored, stored], 2))).toEqual({
      repository: 'r',
      events: [JSON.parse(stored), JSON.parse(stored)],
      count: 2,
      hasMore: true,
    });
    expect(JSON.parse(eventListBody('r', [], 100))).toEqual({
      repository: 'r',
      events: [],
      count: 0,
      hasMore: false,
    });
    expect(JSON.parse(eventListBody('r', [stored], 1, false))).toMatchObject({ hasMore: false });
  });

  it('create: 201 {status: "success", repository, eventId}, duplicates alike', () => {
    for (const duplicate of [false, true]) {
      const reply = createdReply('test_users', {
        acked: [{ eventId: 'e1', sequence: 3, duplicate }],
        rejected: [],
      });
      expect(reply.status).toBe(201);
      expect(reply.body).toMatchObject({ status: 'success', repository: 'test_users', eventId: 'e1' });
    }
  });

  it('create: a refused event is the error of its code', () => {
    const reply = createdReply('r', {
      acked: [],
      rejected: [{ code: 'INVALID_EVENT', message: 'invalid event: _data: required', eventIds: ['e1'] }],
    });
    expect(reply).toEqual({
      status: 400,
      body: { error: 'invalid event: _data: required', statusCode: 400, code: 'INVALID_EVENT' },
    });
  });

  it('batch: 201 {status: "success", repository, eventIds, count} only when all are stored', () => {
    const ok = batchReply('r', {
      acked: [
        { eventId: 'a', sequence: 1, duplicate: false },
        { eventId: 'b', sequence: 2, duplicate: true },
      ],
      rejected: [],
    });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ status: 'success', repository: 'r', eventIds: ['a', 'b'], count: 2 });
    expect(batchReply('r', { acked: [], rejected: [] }).body).toMatchObject({ eventIds: [], count: 0 });

    const partial = batchReply('r', {
      acked: [{ eventId: 'a', sequence: 1, duplicate: false }],
      rejected: [{ code: 'UNAVAILABLE', message: 'not durable yet', eventIds: ['b'] }],
    });
    expect(partial.status).toBe(503);
    expect(partial.body).toMatchObject({ statusCode: 503, code: 'UNAVAILABLE', eventIds: ['a'] });
    expect(partial.body).not.toHaveProperty('status');
  });

  it('health and repositories', () => {
    expect(healthBody({ storeReachable: true, activeConnections: 2, now: new Date(0) })).toEqual({
      status: 'ok',
      timestamp: '1970-01-01T00:00:00.000Z',
      mongodb: 'connected',
      activeConnections: 2,
    });
    expect(healthBody({ storeReachable: false, activeConnections: 0, now: new Date() })['mongodb']).toBe(
      'disconnected',
    );
    expect(repositoriesBody([{ name: 'user', head: 4 }])).toEqual({
      repositories: [{ name: 'user', eventCount: 4, maxSequence: 4 }],
      count: 1,
    });
  });

  it('adds data beside _data for the apps sign-in, never over an existing data', () => {
    expect(JSON.parse(withDataAlias('{"_event_id":"e","_data":{"id":"u"}}'))).toEqual({
      _event_id: 'e',
      _data: { id: 'u' },
      data: { id: 'u' },
    });
    const own = '{"_event_id":"e","_data":{"id":"u"},"data":"mine"}';
    expect(withDataAlias(own)).toBe(own);
    expect(withDataAlias(stored)).toBe(stored);
  });
});
