import { describe, expect, it } from 'vitest';
import { compatErrorReply, dartError, dartErrors } from './dart-errors.ts';

describe('Dart error texts', () => {
  it('are the Dart server texts, with statusCode equal to the status and our code beside', () => {
    expect(dartError('eventNotFound')).toEqual({
      status: 404,
      body: { error: 'Event not found', statusCode: 404, code: 'NOT_FOUND' },
    });
    expect(dartError('endpointNotFound').body.error).toBe('Endpoint not found');
    expect(dartError('methodNotAllowed')).toEqual({
      status: 405,
      body: { error: 'Method not allowed', statusCode: 405, code: 'METHOD_NOT_ALLOWED' },
    });
    expect(dartError('missingEventId').body).toMatchObject({
      error: 'Missing required field: _event_id',
      statusCode: 400,
    });
    expect(dartError('invalidEventsArray').body.error).toBe('Missing or invalid events array');
    expect(dartError('batchMissingEventId').body.error).toBe('All events must have _event_id field');
    expect(dartError('failedToCreateEvent', 'boom').body.error).toBe('Failed to create event: boom');
    for (const e of Object.values(dartErrors)) expect(e.status).toBeGreaterThanOrEqual(400);
  });

  it('map our codes to the Dart text of the route', () => {
    expect(compatErrorReply('byEventId', 'NOT_FOUND', 'event not found').body.error).toBe('Event not found');
    expect(compatErrorReply('byDataId', 'NOT_FOUND', 'event not found').body.error).toBe('Event not found');
    expect(compatErrorReply('unknown', 'NOT_FOUND', 'no such endpoint').body.error).toBe(
      'Endpoint not found',
    );
    expect(compatErrorReply('batch', 'INVALID_MESSAGE', 'body must be …').body.error).toBe(
      'Missing or invalid events array',
    );
    expect(compatErrorReply('list', 'INTERNAL', 'db down')).toEqual({
      status: 500,
      body: { error: 'Failed to fetch events: internal error', statusCode: 500, code: 'INTERNAL' },
    });
    expect(compatErrorReply('create', 'INTERNAL', 'x').body.error).toBe(
      'Failed to create event: internal error',
    );
  });

  it('keep our message for failures the Dart server cannot have', () => {
    expect(compatErrorReply('list', 'NOT_AUTHENTICATED', 'missing Authorization: Bearer token')).toEqual({
      status: 401,
      body: { error: 'missing Authorization: Bearer token', statusCode: 401, code: 'NOT_AUTHENTICATED' },
    });
    expect(compatErrorReply('create', 'FORBIDDEN', 'no write access to x').status).toBe(403);
    expect(compatErrorReply('batch', 'RATE_LIMITED', 'slow down').status).toBe(429);
  });
});
