import { describe, expect, it } from 'vitest';
import { onlineUsernames, usersToList } from './online-users.ts';

const member = (sessionId: string, subject: string) => ({ sessionId, subject, meta: {} });

describe('online users', () => {
  it('are the subjects of the presence members, once per user', () => {
    const online = onlineUsernames([member('s1', 'alice'), member('s2', 'bob'), member('s3', 'alice')]);
    expect([...online].sort()).toEqual(['alice', 'bob']);
  });

  it('lists every user record and adds those online without one yet', () => {
    const users = [{ id: 'alice', username: 'alice', avatar_url: 'a.png' }];
    expect(usersToList(users, new Set(['alice', 'carol']))).toEqual([
      { id: 'alice', username: 'alice', avatar_url: 'a.png' },
      { id: 'carol', username: 'carol', avatar_url: '' },
    ]);
  });
});
