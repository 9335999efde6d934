import { serverMessageSchema } from '@lfsync/contracts';
import { backoffDelayMs, type BackoffOptions } from '../backoff.ts';
import type { Cancel, Clock } from '../clock.ts';
import { Emitter } from '../emitter.ts';
import type { LocalStore } from '../local/local-store.ts';
import type { WireSubscriptions } from '../subscriptions/wire-subscriptions.ts';
import type { SyncError } from '../sync-error.ts';
import type { ConnectionState, OfflineReason } from './connection-state.ts';
import { Heartbeat, type HeartbeatOptions } from './heartbeat.ts';
import type { PushOptions } from './push-flow.ts';
import { SyncSession, type OutboundFrame } from './sync-session.ts';
import { WEB_SOCKET_OPEN, type WebSocketConstructor, type WebSocketLike } from './web-socket.ts';

/** Returns the bearer token for the next connection; called on every connect, so it may refresh. */
export type TokenProvider = () => string | Promise<string>;

export interface ConnectionOptions {
  readonly url: string;
  readonly tokenProvider: TokenProvider;
  readonly webSocket: WebSocketConstructor;
  readonly store: LocalStore;
  /** What the app subscribed to; every connection subscribes to all of it. */
  readonly subscriptions: WireSubscriptions;
  readonly clock: Clock;
  readonly random: () => number;
  readonly backoff: BackoffOptions;
  readonly heartbeat: HeartbeatOptions;
  /** From opening the socket to `auth_success`. */
  readonly connectTimeoutMs: number;
  /** How long before the token expires (`auth_success.expiresAt`) a fresh one is sent on the live connection. */
  readonly tokenRefreshMarginMs: number;
  readonly push: PushOptions;
  /** See `SyncClientOptions.snapshotThreshold`. */
  readonly snapshotThreshold: number | undefined;
  readonly report: (error: SyncError) => void;
}

const CLOSE_NORMAL = 1000;
const CLOSE_HEARTBEAT_TIMEOUT = 4000;
const CLOSE_AUTH_FAILED = 4401;
const TOKEN_REFRESH_RETRY_MS = 10_000;

/** What belongs to one connection attempt; dropped as a whole. */
interface Attempt {
  socket: WebSocketLike | undefined;
  opened: boolean;
  session: SyncSession | undefined;
  heartbeat: Heartbeat | undefined;
  cancelConnectTimeout: Cancel | undefined;
  cancelTokenRefresh: Cancel | undefined;
  tokenExpiresAt: number | undefined;
}

/**
 * Keeps one connection to the gateway while started: connect, authenticate, hand the socket to a
 * `SyncSession`; on any failure drop everything of that attempt and reconnect after an exponential backoff
 * with full jitter. The backoff restarts from the base once a connection went live.
 */
export class SyncConnection {
  readonly #options: ConnectionOptions;
  readonly #stateChanged: Emitter<ConnectionState>;
  #state: ConnectionState = { status: 'offline', reason: 'stopped' };
  #running = false;
  #failures = 0;
  #attempt: Attempt | undefined;
  #reconnect: Cancel | undefined;

  constructor(options: ConnectionOptions) {
    this.#options = options;
    this.#stateChanged = new Emitter((cause) => options.report({ kind: 'listener_failed', cause }));
  }

  get state(): ConnectionState {
    return this.#state;
  }

  onStateChange(listener: (state: ConnectionState) => void): () => void {
    return this.#stateChanged.on(listener);
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#failures = 0;
    void this.#connect();
  }

  stop(): void {
    if (!this.#running) return;
    this.#running = false;
    this.#reconnect?.();
    this.#reconnect = undefined;
    this.#teardown(CLOSE_NORMAL, 'client stopped');
    this.#setState({ status: 'offline', reason: 'stopped' });
  }

  /** Drops the connection and connects again at once, skipping any backoff; nothing when stopped. */
  reconnect(): void {
    if (!this.#running) return;
    this.stop();
    this.start();
  }

  async #connect(): Promise<void> {
    const attempt: Attempt = {
      socket: undefined,
      opened: false,
      session: undefined,
      heartbeat: undefined,
      cancelConnectTimeout: undefined,
      cancelTokenRefresh: undefined,
      tokenExpiresAt: undefined,
    };
    this.#attempt = attempt;
    this.#setState({ status: 'connecting', attempt: this.#failures });
    let token: string;
    try {
      token = await this.#options.tokenProvider();
    } catch (cause) {
      if (this.#attempt !== attempt) return;
      this.#options.report({ kind: 'token_unavailable', cause });
      this.#fail(attempt, 'token_unavailable');
      return;
    }
    if (this.#attempt !== attempt) return;
    let socket: WebSocketLike;
    try {
      socket = new this.#options.webSocket(this.#options.url);
    } catch {
      // An invalid URL throws synchronously; it will fail the same way next time, but retrying keeps one code
      // path and the backoff caps the cost.
      this.#fail(attempt, 'connect_failed');
      return;
    }
    attempt.socket = socket;
    attempt.cancelConnectTimeout = this.#options.clock.schedule(this.#options.connectTimeoutMs, () =>
      this.#fail(attempt, 'connect_failed'),
    );
    socket.onopen = () => this.#opened(attempt, token);
    socket.onmessage = (event) => this.#received(attempt, event.data);
    socket.onclose = (event) => this.#fail(attempt, this.#closeReason(attempt, event.code), event.code);
    // Every error is followed by a close event, which is where the attempt ends.
    socket.onerror = () => undefined;
  }

  #opened(attempt: Attempt, token: string): void {
    if (this.#attempt !== attempt) return;
    attempt.opened = true;
    const send = (frame: OutboundFrame): void => this.#send(attempt, frame);
    attempt.session = new SyncSession({
      store: this.#options.store,
      subscriptions: this.#options.subscriptions,
      send,
      clock: this.#options.clock,
      push: this.#options.push,
      snapshotThreshold: this.#options.snapshotThreshold,
      report: this.#options.report,
      events: {
        authenticated: (expiresAt) => this.#scheduleTokenRefresh(attempt, expiresAt),
        syncing: (repositories) => {
          attempt.cancelConnectTimeout?.();
          this.#setState({ status: 'syncing', repositories });
        },
        live: (sessionId) => {
          this.#failures = 0;
          this.#setState({ status: 'live', sessionId });
        },
        authFailed: () => this.#fail(attempt, 'auth_failed', CLOSE_AUTH_FAILED),
      },
    });
    attempt.heartbeat = new Heartbeat({
      clock: this.#options.clock,
      heartbeat: this.#options.heartbeat,
      ping: () => send({ type: 'ping' }),
      onDead: () => this.#fail(attempt, 'heartbeat_timeout'),
    });
    this.#setState({ status: 'authenticating' });
    attempt.heartbeat.start();
    attempt.session.open(token);
  }

  /**
   * Sends a fresh token on the live connection shortly before the current one expires (docs/protocol.md: a
   * repeated `auth` refreshes the credentials), instead of losing access and reconnecting. If the provider
   * fails, the server eventually refuses the expired session and the client reconnects with a new token.
   */
  #scheduleTokenRefresh(attempt: Attempt, expiresAt: number | undefined): void {
    attempt.cancelTokenRefresh?.();
    attempt.cancelTokenRefresh = undefined;
    if (expiresAt === undefined) return;
    // After a refresh, never again at once: a token that expires no later (a cached one) is asked for
    // again after a pause, one that lives less than the margin at half its remaining life. Should the
    // token run out meanwhile, the server refuses it and we reconnect.
    const previous = attempt.tokenExpiresAt;
    attempt.tokenExpiresAt = expiresAt;
    const remainingMs = expiresAt - this.#options.clock.now();
    const dueMs = remainingMs - this.#options.tokenRefreshMarginMs;
    const floorMs =
      previous === undefined
        ? 0
        : expiresAt > previous
          ? Math.max(1_000, remainingMs / 2)
          : TOKEN_REFRESH_RETRY_MS;
    const delayMs = Math.max(floorMs, dueMs);
    attempt.cancelTokenRefresh = this.#options.clock.schedule(delayMs, () => {
      void (async () => {
        let token: string;
        try {
          token = await this.#options.tokenProvider();
        } catch (cause) {
          if (this.#attempt === attempt) this.#options.report({ kind: 'token_unavailable', cause });
          return;
        }
        if (this.#attempt === attempt) attempt.session?.authenticate(token);
      })();
    });
  }

  #received(attempt: Attempt, data: unknown): void {
    if (this.#attempt !== attempt) return;
    attempt.heartbeat?.alive();
    if (typeof data !== 'string') {
      this.#options.report({ kind: 'invalid_frame', detail: 'binary frame' });
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      this.#options.report({ kind: 'invalid_frame', detail: 'not JSON' });
      return;
    }
    const parsed = serverMessageSchema.safeParse(json);
    if (!parsed.success) {
      const type = typeof json === 'object' && json !== null && 'type' in json ? String(json.type) : 'none';
      this.#options.report({ kind: 'invalid_frame', detail: `type ${type}: ${parsed.error.message}` });
      return;
    }
    attempt.session?.handle(parsed.data);
  }

  #send(attempt: Attempt, frame: OutboundFrame): void {
    const socket = attempt.socket;
    if (this.#attempt !== attempt || socket === undefined || socket.readyState !== WEB_SOCKET_OPEN) return;
    try {
      socket.send(JSON.stringify(frame));
    } catch {
      this.#fail(attempt, 'closed');
    }
  }

  #closeReason(attempt: Attempt, code: number): OfflineReason {
    if (code === CLOSE_AUTH_FAILED) return 'auth_failed';
    return attempt.opened ? 'closed' : 'connect_failed';
  }

  /** Ends the attempt (if it is still the current one) and schedules the next. */
  #fail(attempt: Attempt, reason: OfflineReason, closeCode?: number): void {
    if (this.#attempt !== attempt || !this.#running) return;
    this.#teardown(reason === 'heartbeat_timeout' ? CLOSE_HEARTBEAT_TIMEOUT : CLOSE_NORMAL, reason);
    const delayMs = backoffDelayMs(this.#failures, this.#options.backoff, this.#options.random);
    this.#failures += 1;
    this.#setState({
      status: 'offline',
      reason,
      ...(closeCode === undefined ? {} : { closeCode }),
      retryInMs: delayMs,
    });
    this.#reconnect = this.#options.clock.schedule(delayMs, () => {
      this.#reconnect = undefined;
      if (this.#running) void this.#connect();
    });
  }

  /**
   * Detaches from the socket before closing it: a dead peer may take long to complete the close handshake,
   * and nothing of this attempt may act after it ended.
   */
  #teardown(code: number, reason: string): void {
    const attempt = this.#attempt;
    this.#attempt = undefined;
    if (attempt === undefined) return;
    attempt.cancelConnectTimeout?.();
    attempt.cancelTokenRefresh?.();
    attempt.heartbeat?.stop();
    attempt.session?.dispose();
    const socket = attempt.socket;
    if (socket === undefined) return;
    socket.onopen = null;
    socket.onmessage = null;
    socket.onclose = null;
    // `ws` emits 'error' when a socket is closed before it opened; without a listener that would throw.
    socket.onerror = () => undefined;
    try {
      socket.close(code, reason);
    } catch {
      // Closing a socket that is already closing is allowed to throw in some implementations; it is going anyway.
    }
  }

  #setState(state: ConnectionState): void {
    this.#state = state;
    this.#stateChanged.emit(state);
  }
}
