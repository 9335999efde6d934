import type { KeyValueStorage } from './session-id.ts';

const LAST_USER_KEY = 'lfsync-web.last-user';

/** The user signed in last in this browser, signed in again on the next visit. */
export function lastUser(storage: KeyValueStorage): string | undefined {
  const value = storage.getItem(LAST_USER_KEY);
  return value === null || value === '' ? undefined : value;
}

export function rememberUser(
  storage: KeyValueStorage & { removeItem(key: string): void },
  username: string | undefined,
): void {
  if (username === undefined) storage.removeItem(LAST_USER_KEY);
  else storage.setItem(LAST_USER_KEY, username);
}
