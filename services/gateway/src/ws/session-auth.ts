import { AppError, tokenOfAuthMessage, type AuthMessage } from '@lfsync/contracts';
import type { Cancel, Clock } from '@lfsync/ports';
import type { Logger } from 'pino';
import type { Principal } from '../auth/token-verifier.ts';
import type { Authenticator } from '../compat/anonymous-access.ts';
import { reportFailure } from '../report-failure.ts';
import type { SessionSocket } from './session-socket.ts';

export interface AuthOptions {
  sessionId: string;
  socket: SessionSocket;
  authenticate: Authenticator;
  clock: Clock;
  authTimeoutMs: number;
  logger: Logger;
  /** The session gained, refreshed (`refresh`) or lost (undefined) its principal. */
  onPrincipal(principal: Principal | undefined, refresh: boolean): void;
}

// The timers overflow past ~24.8 days; such tokens are re-checked when the timer fires.
const MAX_TIMER_MS = 2 ** 31 - 1;
const noop: Cancel = () => undefined;

/** A session's auth lifecycle: the first auth in time, token refreshes, expiry back to unauthenticated. */
export class SessionAuth {
  readonly #options: AuthOptions;
  #principal: Principal | undefined;
  #inFlight: Promise<void> | undefined;
  #cancelAuthTimer: Cancel = noop;
  #cancelExpiry: Cancel = noop;

  constructor(options: AuthOptions) {
    this.#options = options;
    this.#startAuthTimer();
  }

  get principal(): Principal | undefined {
    return this.#principal;
  }

  authenticate(message: AuthMessage): Promise<void> {
    this.#inFlight = this.#authenticate(message);
    return this.#inFlight;
  }

  /** The principal once any auth in flight is decided (frames sent right after `auth` wait for it). */
  async settled(): Promise<Principal | undefined> {
    if (this.#inFlight !== undefined) await this.#inFlight;
    return this.#principal;
  }

  stop(): void {
    this.#cancelAuthTimer();
    this.#cancelExpiry();
    this.#principal = undefined;
  }

  async #authenticate(message: AuthMessage): Promise<void> {
    const { socket, logger } = this.#options;
    let principal: Principal | undefined;
    try {
      principal = await this.#options.authenticate(tokenOfAuthMessage(message));
    } catch (err) {
      const error = reportFailure(logger, err, 'authentication');
      logger.info({ code: error.code }, 'authentication refused');
      return socket.closeWithError(error);
    }
    if (principal === undefined)
      return socket.closeWithError(new AppError('INVALID_TOKEN', 'auth needs a token'));
    const refresh = this.#principal !== undefined;
    this.#principal = principal;
    this.#stopAuthTimer();
    this.#scheduleExpiry(principal.expiresAt);
    this.#options.onPrincipal(principal, refresh);
    logger.info({ subject: principal.subject, refresh }, 'authenticated');
    socket.send(
      JSON.stringify({
        type: 'auth_success',
        sessionId: this.#options.sessionId,
        ...(principal.expiresAt === undefined ? {} : { expiresAt: principal.expiresAt }),
      }),
    );
  }

  #scheduleExpiry(expiresAt: number | undefined): void {
    this.#cancelExpiry();
    if (expiresAt === undefined) return;
    const { clock } = this.#options;
    const delayMs = Math.min(Math.max(0, expiresAt - clock.now()), MAX_TIMER_MS);
    this.#cancelExpiry = clock.schedule(delayMs, () => {
      if (clock.now() < expiresAt) return this.#scheduleExpiry(expiresAt);
      this.#principal = undefined;
      this.#options.onPrincipal(undefined, false);
      this.#options.socket.sendError(
        new AppError('TOKEN_EXPIRED', 'token expired: send auth with a fresh token'),
      );
      this.#startAuthTimer();
    });
  }

  /** Cancels the auth timer and lets go of it (its timer object would otherwise live as long as the session). */
  #stopAuthTimer(): void {
    this.#cancelAuthTimer();
    this.#cancelAuthTimer = noop;
  }

  #startAuthTimer(): void {
    this.#cancelAuthTimer();
    this.#cancelAuthTimer = this.#options.clock.schedule(this.#options.authTimeoutMs, () => {
      if (this.#principal === undefined)
        this.#options.socket.closeWithError(new AppError('AUTH_TIMEOUT', 'no valid auth in time'));
    });
  }
}
