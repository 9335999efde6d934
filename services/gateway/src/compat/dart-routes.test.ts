import { describe, expect, it } from 'vitest';
import { matchDartRoute } from './dart-routes.ts';

describe('Dart REST routing', () => {
  it.each([
    ['GET', '/api/health', { kind: 'health' }],
    ['POST', '/api/health', { kind: 'error', route: 'health', error: 'methodNotAllowed' }],
    ['OPTIONS', '/api/health', { kind: 'options' }],
    ['OPTIONS', '/anything/at/all', { kind: 'options' }],
    ['GET', '/api/repositories', { kind: 'repositories' }],
    ['DELETE', '/api/repositories', { kind: 'error', route: 'repositories', error: 'methodNotAllowed' }],
    ['GET', '/api/invalid', { kind: 'error', route: 'unknown', error: 'endpointNotFound' }],
    ['GET', '/api/events', { kind: 'error', route: 'unknown', error: 'endpointNotFound' }],
    ['GET', '/', { kind: 'error', route: 'unknown', error: 'endpointNotFound' }],
    ['GET', '/api/events/user', { kind: 'list', repository: 'user' }],
    ['POST', '/api/events/user', { kind: 'create', repository: 'user' }],
    ['PUT', '/api/events/user', { kind: 'error', route: 'list', error: 'methodNotAllowed' }],
    ['POST', '/api/events/user/batch', { kind: 'batch', repository: 'user' }],
    ['GET', '/api/events/user/batch', { kind: 'byEventId', repository: 'user', eventId: 'batch' }],
    ['GET', '/api/events/user/e%201', { kind: 'byEventId', repository: 'user', eventId: 'e 1' }],
    ['POST', '/api/events/user/e1', { kind: 'error', route: 'byEventId', error: 'methodNotAllowed' }],
    ['GET', '/api/events/user/byDataId/alice', { kind: 'byDataId', repository: 'user', dataId: 'alice' }],
    [
      'POST',
      '/api/events/user/byDataId/alice',
      { kind: 'error', route: 'unknown', error: 'endpointNotFound' },
    ],
    ['GET', '/api/events/user/other/alice', { kind: 'error', route: 'unknown', error: 'endpointNotFound' }],
    ['GET', '/api/events/user/a/b/c', { kind: 'error', route: 'unknown', error: 'endpointNotFound' }],
    ['GET', '/api/events/', { kind: 'list', repository: '' }],
    ['GET', '/api/events/user/', { kind: 'byEventId', repository: 'user', eventId: '' }],
    ['GET', '/api/events/user/%E0%A4%A', { kind: 'error', route: 'unknown', error: 'endpointNotFound' }],
  ])('%s %s', (method, path, expected) => {
    expect(matchDartRoute(method, path)).toEqual(expected);
  });
});
