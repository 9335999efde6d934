import type { ConnectionState } from '@lfsync/client';
import { describe, expect, it } from 'vitest';
import { connectionBadge } from './connection-badge.ts';

describe('connectionBadge', () => {
  it('says Live only in the live state', () => {
    const states: ConnectionState[] = [
      { status: 'offline', reason: 'stopped' },
      { status: 'connecting', attempt: 0 },
      { status: 'authenticating' },
      { status: 'syncing', repositories: ['user'] },
      { status: 'offline', reason: 'closed', retryInMs: 500 },
    ];
    for (const state of states) expect(connectionBadge(state, 0).label).not.toMatch(/live/i);
    expect(connectionBadge({ status: 'live', sessionId: 's' }, 0)).toEqual({
      status: 'live',
      tone: 'live',
      label: 'Live',
      pending: '',
    });
  });

  it('counts pending changes, singular and plural', () => {
    expect(connectionBadge({ status: 'offline', reason: 'closed' }, 1).pending).toBe(
      '1 change not synced yet',
    );
    expect(connectionBadge({ status: 'offline', reason: 'closed' }, 7).pending).toBe(
      '7 changes not synced yet',
    );
  });

  it('tells a reconnect from a first connect, and a refused sign-in from a network failure', () => {
    expect(connectionBadge({ status: 'connecting', attempt: 0 }, 0).label).toBe('Connecting…');
    expect(connectionBadge({ status: 'connecting', attempt: 3 }, 0).label).toBe('Reconnecting…');
    expect(connectionBadge({ status: 'offline', reason: 'auth_failed' }, 0).tone).toBe('error');
    expect(connectionBadge({ status: 'offline', reason: 'heartbeat_timeout' }, 0)).toMatchObject({
      tone: 'offline',
      label: 'Offline: retrying',
    });
  });
});
