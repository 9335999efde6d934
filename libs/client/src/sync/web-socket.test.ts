import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeSyncServer } from '../testing/fake-sync-server.ts';
import { resolveWebSocket } from './web-socket.ts';

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('resolveWebSocket', () => {
  it('prefers the injected constructor', () => {
    const injected = new FakeSyncServer().WebSocket;
    vi.stubGlobal('WebSocket', new FakeSyncServer().WebSocket);
    expect(resolveWebSocket(injected)).toBe(injected);
  });

  it('falls back to the global WebSocket (browsers, Node ≥ 22)', () => {
    const global = new FakeSyncServer().WebSocket;
    vi.stubGlobal('WebSocket', global);
    expect(resolveWebSocket(undefined)).toBe(global);
  });

  it('says what to pass when there is none (Node < 22)', () => {
    vi.stubGlobal('WebSocket', undefined);
    expect(() => resolveWebSocket(undefined)).toThrow(/pass one as `webSocket`/);
  });
});
