/** The parts of `navigator.locks` (Web Locks API) used here. */
export interface LockManagerLike {
  request<T>(name: string, callback: (lock: unknown) => Promise<T> | T): Promise<T>;
  request<T>(
    name: string,
    options: { readonly ifAvailable: boolean },
    callback: (lock: unknown) => Promise<T> | T,
  ): Promise<T>;
}

/** The parts of `localStorage` / `sessionStorage` used here. */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export interface HeldSession {
  readonly sessionId: string;
  /** Lets another tab take this session id (on sign-out; closing the tab does it too). */
  release(): void;
}

export interface SessionIdOptions {
  readonly username: string;
  /** Survives the browser (localStorage): the ids this browser used for the user, reused when free. */
  readonly storage: KeyValueStorage;
  /** Survives a reload of this tab (sessionStorage): the id this tab had, tried first. */
  readonly tabStorage: KeyValueStorage;
  /** `navigator.locks`; absent outside secure contexts. */
  readonly locks: LockManagerLike | undefined;
  readonly newId: () => string;
}

const poolKey = (username: string): string => `lfsync-web.sessions.${username}`;
const tabKey = (username: string): string => `lfsync-web.session.${username}`;
const lockName = (username: string, id: string): string => `lfsync-web.session.${username}.${id}`;

/**
 * The id of this tab's `session_counter` record. Only this tab may write that record, so that the records of
 * the global counter never conflict: a tab holds a Web Lock on its id for as long as it lives, and takes a
 * free id of this browser's pool (or makes a new one), so two open tabs never share one and the records do not
 * pile up across reloads and restarts. Without Web Locks (insecure context) the id lives in sessionStorage:
 * kept across reloads, one per tab (a duplicated tab would share it).
 */
export async function acquireSessionId(options: SessionIdOptions): Promise<HeldSession> {
  const { username, storage, tabStorage, locks } = options;
  const previous = tabStorage.getItem(tabKey(username));
  if (locks === undefined) {
    const sessionId = previous ?? options.newId();
    tabStorage.setItem(tabKey(username), sessionId);
    return { sessionId, release: () => undefined };
  }
  // One tab at a time reads and extends the pool.
  return locks.request(`lfsync-web.sessions.${username}`, async () => {
    const pool = readPool(storage.getItem(poolKey(username)));
    const candidates =
      previous !== null && pool.includes(previous)
        ? [previous, ...pool.filter((id) => id !== previous)]
        : pool;
    for (const sessionId of candidates) {
      const release = await tryHold(locks, lockName(username, sessionId));
      if (release !== undefined) {
        tabStorage.setItem(tabKey(username), sessionId);
        return { sessionId, release };
      }
    }
    const sessionId = options.newId();
    storage.setItem(poolKey(username), JSON.stringify([...pool, sessionId]));
    tabStorage.setItem(tabKey(username), sessionId);
    const release = await tryHold(locks, lockName(username, sessionId));
    return { sessionId, release: release ?? (() => undefined) };
  });
}

function readPool(json: string | null): string[] {
  if (json === null) return [];
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value)
      ? value.filter((id): id is string => typeof id === 'string' && id !== '')
      : [];
  } catch {
    return [];
  }
}

/** Takes the lock if it is free and holds it until the returned function is called; `undefined` if taken. */
function tryHold(locks: LockManagerLike, name: string): Promise<(() => void) | undefined> {
  return new Promise((resolve, reject) => {
    locks
      .request(name, { ifAvailable: true }, (lock) => {
        if (lock === null) {
          resolve(undefined);
          return undefined;
        }
        return new Promise<void>((release) => resolve(() => release()));
      })
      .catch(reject);
  });
}
