import { AppError, claimAllows, type ClientMessage, type SequencedBatch } from '@lfsync/contracts';
import type { EventReader } from '@lfsync/ports';
import type { Clock } from '@lfsync/ports';
import type { Writable } from 'node:stream';
import type { Logger } from 'pino';
import type WebSocket from 'ws';
import type { Principal } from '../auth/token-verifier.ts';
import type { Authenticator } from '../compat/anonymous-access.ts';
import type { GatewayMetrics } from '../metrics.ts';
import { reportFailure } from '../report-failure.ts';
import type { PushService } from '../sync/push-service.ts';
import { eventIdsOf } from './event-ids.ts';
import { FrameIntake, type IntakeLimits } from './frame-intake.ts';
import type { Frame } from './frames.ts';
import type { ReceivedMessage } from './parse-client-frame.ts';
import { RateLimiter } from './rate-limiter.ts';
import { SessionAuth } from './session-auth.ts';
import { SessionFeeds } from './session-feeds.ts';
import { SessionPush } from './session-push.ts';
import type { SessionRegistry } from './session-registry.ts';
import { SessionSocket, type SocketLimits } from './session-socket.ts';
import { SessionSubscriptions, type PresenceMembership } from './session-subscriptions.ts';

export interface SessionLimits extends IntakeLimits, SocketLimits {
  authTimeoutMs: number;
  maxPendingAcks: number;
  ratePerSec: number;
  rateBurst: number;
  catchUpPageSize: number;
  maxSubscriptions: number;
  /** Whether a session that never subscribed receives every repository it may read. */
  implicitAll: boolean;
}

export interface SessionContext {
  limits: SessionLimits;
  authenticate: Authenticator;
  push: PushService;
  store: EventReader;
  logger: Logger;
  metrics: GatewayMetrics;
  clock: Clock;
  registry: SessionRegistry<Session>;
  /** The session's presence memberships. */
  presence(session: Session, socket: SessionSocket): PresenceMembership;
  /** Called when the session gains or loses the right to receive broadcasts. */
  onAuthenticated(session: Session, authenticated: boolean): void;
  /** Called once the connection closed and the session let go of everything it held. */
  onClosed(session: Session): void;
}

type AuthenticatedMessage = Exclude<ClientMessage, { type: 'ping' | 'pong' | 'events_received' | 'auth' }>;

/** One WebSocket connection speaking docs/protocol.md: routes each valid frame to the part that handles it. */
export class Session {
  readonly id: string;
  readonly #socket: SessionSocket;
  readonly #intake: FrameIntake;
  readonly #auth: SessionAuth;
  readonly #feeds: SessionFeeds;
  readonly #push: SessionPush;
  readonly #subscriptions: SessionSubscriptions<Session>;
  readonly #logger: Logger;

  /** `transport` is the connection `ws` runs on (see `SessionSocket`). */
  constructor(id: string, ws: WebSocket, transport: Writable | undefined, ctx: SessionContext) {
    this.id = id;
    const { limits, metrics, clock } = ctx;
    const logger = (this.#logger = ctx.logger.child({ sessionId: id }));
    const socket = (this.#socket = new SessionSocket(ws, transport, limits, clock, metrics, logger));
    const limiter = new RateLimiter(limits.ratePerSec, limits.rateBurst, clock);
    this.#intake = new FrameIntake(socket, limiter, limits, metrics);
    this.#feeds = new SessionFeeds({
      socket,
      store: ctx.store,
      catchUpPageSize: limits.catchUpPageSize,
      logger,
      access: this,
    });
    const presence = ctx.presence(this, socket);
    this.#subscriptions = this.#createSubscriptions(ctx, socket, presence);
    this.#push = new SessionPush({
      socket,
      push: ctx.push,
      maxPendingAcks: limits.maxPendingAcks,
      metrics,
      logger,
    });
    this.#auth = new SessionAuth({
      sessionId: id,
      socket,
      authenticate: ctx.authenticate,
      clock,
      authTimeoutMs: limits.authTimeoutMs,
      logger,
      onPrincipal: (principal, refresh) => {
        this.#onPrincipal(principal);
        if (!refresh) ctx.onAuthenticated(this, principal !== undefined);
      },
    });
    ws.on('message', (data, isBinary) => this.#onFrame(data, isBinary));
    ws.on('close', () => {
      if (this.#auth.principal !== undefined) ctx.onAuthenticated(this, false);
      this.#auth.stop();
      ctx.registry.remove(this);
      presence.leaveAll();
      this.#feeds.clear();
      ctx.onClosed(this);
    });
  }

  #createSubscriptions(
    ctx: SessionContext,
    socket: SessionSocket,
    presence: PresenceMembership,
  ): SessionSubscriptions<Session> {
    return new SessionSubscriptions({
      session: this,
      registry: ctx.registry,
      socket,
      maxSubscriptions: ctx.limits.maxSubscriptions,
      implicitAll: ctx.limits.implicitAll,
      presence,
      feeds: this.#feeds,
    });
  }

  /** The session gained a principal, refreshed it, or lost it (expiry). */
  #onPrincipal(principal: Principal | undefined): void {
    if (principal === undefined) {
      this.#subscriptions.clear();
      this.#feeds.clear();
    } else {
      this.#subscriptions.prune(principal);
      this.#feeds.prune();
    }
  }

  get authenticated(): boolean {
    return this.#auth.principal !== undefined;
  }

  /** Whether the session receives the repository's live events (implicitly, or by a subscription). */
  receives(repository: string): boolean {
    return this.#subscriptions.receives(repository);
  }

  mayRead(repository: string): boolean {
    const principal = this.#auth.principal;
    return principal !== undefined && claimAllows(principal.claim.read, repository);
  }

  /**
   * A committed batch, offered to every session; `frame` is shared by all of them. False when this session
   * may not read the repository (nothing sent).
   */
  deliver(batch: SequencedBatch, frame: Frame): boolean {
    if (!this.mayRead(batch.repository)) return false;
    this.#feeds.live(batch, frame);
    return true;
  }

  /** Whether a push of this session waits for its ack (its commit's frame goes out before the others'). */
  get awaitingAck(): boolean {
    return this.#socket.awaitingAck;
  }

  /** After the gateway lost its bus connection: send what was committed meanwhile. */
  refresh(): void {
    this.#feeds.refresh();
  }

  /** Called on every heartbeat tick: a connection that did not answer the last ping is dropped. */
  heartbeat(): void {
    this.#socket.heartbeat();
  }

  close(code: number, reason: string): void {
    this.#socket.close(code, reason);
  }

  #onFrame(data: WebSocket.RawData, isBinary: boolean): void {
    const received = this.#intake.receive(data, isBinary);
    if (received === undefined) return;
    this.#handle(received).catch((err: unknown) => {
      this.#socket.sendError(reportFailure(this.#logger, err, received.message.type));
    });
  }

  async #handle({ message, eventTexts }: ReceivedMessage): Promise<void> {
    switch (message.type) {
      case 'ping':
        this.#socket.send('{"type":"pong"}');
        return;
      case 'pong':
        this.#socket.pong();
        return;
      case 'events_received':
        return;
      case 'auth':
        return this.#auth.authenticate(message);
      case 'push_event':
      case 'push_events_batch':
      case 'request_events':
      case 'request_all_events':
      case 'request_snapshot':
      case 'subscribe':
      case 'unsubscribe':
      case 'presence_update':
        return this.#handleAuthenticated(message, eventTexts);
    }
  }

  async #handleAuthenticated(
    message: AuthenticatedMessage,
    eventTexts: readonly string[] | undefined,
  ): Promise<void> {
    const principal = await this.#auth.settled();
    if (principal === undefined) {
      const error = new AppError('NOT_AUTHENTICATED', 'send auth first');
      return this.#socket.sendError(error, { eventIds: eventIdsOf(message) });
    }
    switch (message.type) {
      case 'push_event':
        return this.#push.push(principal, message.repository, [message.event]);
      case 'push_events_batch':
        return this.#push.push(principal, message.repository, message.events, eventTexts);
      case 'request_events':
        return this.#feeds.requestEvents(message.repository, message.afterSequence ?? 0, message.limit);
      case 'request_all_events':
        return this.#feeds.requestAllEvents(message.repository, message.limit);
      case 'request_snapshot':
        return this.#feeds.requestSnapshot(message.repository, message.limit, message.minRatio);
      case 'subscribe':
        return this.#subscriptions.subscribe(principal, message);
      case 'unsubscribe':
        return this.#subscriptions.unsubscribe(message.repository);
      case 'presence_update':
        return this.#subscriptions.updatePresence(message.repository, message.meta);
    }
  }
}
