import {
  createSyncClient,
  createUuidV7Generator,
  IndexedDbStorage,
  MemoryStorage,
  type StorageRepair,
  type SyncClient,
  type SyncError,
  type SyncStorage,
  type Unsubscribe,
} from '@lfsync/client';
import {
  acquireSessionId,
  type HeldSession,
  type KeyValueStorage,
  type LockManagerLike,
} from './session/session-id.ts';
import { lastUser, rememberUser } from './session/last-user.ts';
import { APP_REPOSITORIES, CounterStore, PRESENCE_REPOSITORY } from './sync/counter-store.ts';
import { devTokenProvider, type FetchLike } from './sync/dev-token.ts';
import { syncUrlFor } from './sync/sync-url.ts';
import { renderHome, type HomeView } from './ui/home-view.ts';
import { renderSignIn } from './ui/sign-in-view.ts';

/** What the app takes from the browser; passed in so that the wiring is visible in one place. */
export interface BrowserEnvironment {
  readonly root: HTMLElement;
  readonly localStorage: KeyValueStorage & { removeItem(key: string): void };
  readonly sessionStorage: KeyValueStorage;
  readonly locks: LockManagerLike | undefined;
  readonly location: { readonly protocol: string; readonly host: string };
  readonly fetch: FetchLike;
  readonly isOnline: () => boolean;
  /** Calls `listener` when the browser reports that it went offline or came back online. */
  readonly onNetworkChange: (listener: (online: boolean) => void) => Unsubscribe;
}

interface SignedIn {
  readonly username: string;
  readonly client: SyncClient;
  readonly session: HeldSession;
  readonly view: HomeView;
  readonly cleanups: Unsubscribe[];
}

/** Backoff of reconnects: capped lower than the SDK default, since a person is waiting for "Live". */
const BACKOFF = { baseMs: 500, capMs: 10_000 } as const;

/** The app: signed out (sign-in screen) or signed in as one user (one sync client, one local database). */
export class CounterApp {
  readonly #env: BrowserEnvironment;
  #signedIn: SignedIn | undefined;

  constructor(env: BrowserEnvironment) {
    this.#env = env;
  }

  /** Signs the last user in again, or shows the sign-in screen. */
  async start(): Promise<void> {
    const username = lastUser(this.#env.localStorage);
    if (username === undefined) this.#showSignIn();
    else await this.signIn(username);
  }

  async signIn(username: string): Promise<void> {
    if (this.#signedIn !== undefined) await this.signOut();
    const env = this.#env;
    rememberUser(env.localStorage, username);
    const session = await acquireSessionId({
      username,
      storage: env.localStorage,
      tabStorage: env.sessionStorage,
      locks: env.locks,
      newId: () => crypto.randomUUID(),
    });
    const { client, notice } = await openClient(username, env);
    const store = new CounterStore({
      client,
      username,
      sessionId: session.sessionId,
      newId: createUuidV7Generator(),
    });
    // Who is online, shown in the users panel: this session joins the presence of the counter's log.
    const presence = client.joinPresence(PRESENCE_REPOSITORY, { username });
    const view = renderHome(env.root, {
      client,
      store,
      presence,
      onSignOut: () => void this.signOut(),
      onRetry: () => client.reconnect(),
      ...(notice === undefined ? {} : { notice }),
    });
    const cleanups = [
      client.onError((error) => reportSyncError(error, view)),
      store.ensureUserWhenLive(),
      env.onNetworkChange((online) => {
        // Online: skip the rest of the backoff. Offline: a socket that lost the network may look open until the
        // heartbeat times out (Chromium keeps it open, dropping what arrives); reconnecting now shows the truth
        // at once, and the attempts fail fast (no token request while the browser is offline).
        if ((client.state.status === 'offline') === online) client.reconnect();
      }),
    ];
    this.#signedIn = { username, client, session, view, cleanups };
    client.start();
  }

  async signOut(): Promise<void> {
    const signedIn = this.#signedIn;
    if (signedIn === undefined) return;
    this.#signedIn = undefined;
    for (const cleanup of signedIn.cleanups) cleanup();
    signedIn.view.dispose();
    const pending = signedIn.client.pendingCount;
    await signedIn.client.close();
    signedIn.session.release();
    rememberUser(this.#env.localStorage, undefined);
    this.#showSignIn(
      pending === 0
        ? undefined
        : `${pending} ${pending === 1 ? 'change' : 'changes'} by ${signedIn.username} will sync the next time ${signedIn.username} signs in on this device.`,
    );
  }

  #showSignIn(notice?: string): void {
    renderSignIn(this.#env.root, {
      onSignIn: (username) => this.signIn(username),
      ...(notice === undefined ? {} : { notice }),
    });
  }

  /** Resolves once every change made in this tab is stored on this device (before a reload to update). */
  async persisted(): Promise<void> {
    await this.#signedIn?.client.persisted();
  }
}

async function openClient(
  username: string,
  env: BrowserEnvironment,
): Promise<{ client: SyncClient; notice?: string }> {
  const options = {
    url: syncUrlFor(env.location),
    tokenProvider: devTokenProvider(username, env.fetch, env.isOnline),
    repositories: APP_REPOSITORIES,
    backoff: BACKOFF,
  };
  const name = `lfsync-web.${username}`;
  const storage: SyncStorage = new IndexedDbStorage(name);
  try {
    // Tabs of the same user share one store and one socket (the tab holding the Web Lock connects).
    const client = await createSyncClient({ ...options, storage, tabs: { name } });
    const repair = client.storageRepair;
    if (repair === undefined) return { client };
    console.warn('lfsync web: the data on this device was repaired', repair);
    return { client, notice: repairNotice(repair) };
  } catch (cause) {
    // E.g. IndexedDB disabled (some private modes): still usable, but nothing survives the tab.
    console.warn('lfsync web: IndexedDB unavailable, keeping data in memory', cause);
    return {
      client: await createSyncClient({ ...options, storage: new MemoryStorage() }),
      notice:
        'This browser does not let the app store data: changes made offline are lost when the tab closes.',
    };
  }
}

function repairNotice(repair: StorageRepair): string {
  const kept =
    repair.keptPending === 0
      ? ''
      : ` ${repair.keptPending} unsynced ${repair.keptPending === 1 ? 'change was' : 'changes were'} kept.`;
  const lost =
    repair.droppedPending === 0
      ? ''
      : ` ${repair.droppedPending} unsynced ${repair.droppedPending === 1 ? 'change' : 'changes'} could not be read and ${repair.droppedPending === 1 ? 'is' : 'are'} lost.`;
  return `The data saved on this device could not be read in full and was repaired; the rest is fetched again from the server.${kept}${lost}`;
}

/** Errors the SDK reports: the ones a person can act on are shown; all but expected ones are logged. */
function reportSyncError(error: SyncError, view: HomeView): void {
  switch (error.kind) {
    case 'token_unavailable':
      // Expected while offline or while the gateway is down; the connection badge shows it.
      return;
    case 'server_error':
    case 'invalid_frame':
    case 'unidentified_event':
    case 'catch_up_stalled':
      console.warn('lfsync web: sync problem', error);
      return;
    case 'events_rejected':
      console.error('lfsync web: the server refused changes', error);
      view.alert(`The server refused ${error.events.length} change(s) (${error.code}); they were discarded.`);
      return;
    case 'storage_failed':
      console.error('lfsync web: could not save on this device', error.cause);
      view.alert('Could not save on this device; retrying with the next change.');
      return;
    case 'listener_failed':
      console.error('lfsync web: a view failed to update', error.cause);
      return;
    case 'tab_coordination_failed':
      console.warn('lfsync web: tabs could not coordinate', error.cause);
      return;
  }
}
