import type { PresenceMember } from '@lfsync/client';
import type { UserRecord } from './records.ts';

/** Who is online: the subjects of the presence members (a user with two browsers is one name). */
export function onlineUsernames(members: readonly PresenceMember[]): ReadonlySet<string> {
  return new Set(members.map((member) => member.subject));
}

/**
 * Everyone to list: the user records, plus those online whose record has not arrived yet (a user who just
 * signed in for the first time), so that nobody online is missing from the panel.
 */
export function usersToList(users: readonly UserRecord[], online: ReadonlySet<string>): UserRecord[] {
  const known = new Set(users.map((user) => user.username));
  const newcomers = [...online]
    .filter((username) => !known.has(username))
    .map((username): UserRecord => ({ id: username, username, avatar_url: '' }));
  return [...users, ...newcomers];
}
