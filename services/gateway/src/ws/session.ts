import {
  AppError,
  claimAllows,
  clientMessageSchema,
  errorCodes,
  frameEnvelopeSchema,
  tokenOfAuthMessage,
  type AuthMessage,
  type ClientMessage,
  type ErrorCode,
  type SequencedBatch,
} from '@lfsync/contracts';
import type { EventReader } from '@lfsync/ports';
import type { Logger } from 'pino';
import WebSocket from 'ws';
import type { Principal, TokenVerifier } from '../auth/token-verifier.ts';
import type { GatewayMetrics } from '../metrics.ts';
import type { PushService } from '../sync/push-service.ts';
import { ackFrame, errorFrame, syncCompleteFrame, type Frame } from './frames.ts';
import { RateLimiter } from './rate-limiter.ts';
import { RepositoryFeed } from './repository-feed.ts';

export interface SessionLimits {
  authTimeoutMs: number;
  maxFrameBytes: number;
  maxPendingAcks: number;
  ratePerSec: number;
  rateBurst: number;
  maxOutboundBytes: number;
  slowConsumerTimeoutMs: number;
  catchUpPageSize: number;
  invalidFrameLimit: number;
}

export interface SessionContext {
  limits: SessionLimits;
  verify: TokenVerifier;
  push: PushService;
  store: EventReader;
  logger: Logger;
  metrics: GatewayMetrics;
  /** Called when the session gains or loses the right to receive broadcasts. */
  onAuthenticated(session: Session, authenticated: boolean): void;
}

const WRITABLE_POLL_MS = 10;
const CLOSE_GRACE_MS = 5_000;

/** One WebSocket connection speaking PROTOCOL.md. */
export class Session {
  readonly id: string;
  readonly #ws: WebSocket;
  readonly #ctx: SessionContext;
  readonly #logger: Logger;
  readonly #limiter: RateLimiter;
  readonly #feeds = new Map<string, RepositoryFeed>();
  #principal: Principal | undefined;
  #authInFlight: Promise<void> | undefined;
  #authTimer: NodeJS.Timeout | undefined;
  #expiryTimer: NodeJS.Timeout | undefined;
  #pendingAcks = 0;
  #invalidFrames = 0;
  #alive = true;

  constructor(id: string, ws: WebSocket, ctx: SessionContext) {
    this.id = id;
    this.#ws = ws;
    this.#ctx = ctx;
    this.#logger = ctx.logger.child({ sessionId: id });
    this.#limiter = new RateLimiter(ctx.limits.ratePerSec, ctx.limits.rateBurst);
    ws.on('message', (data, isBinary) => this.#onFrame(data, isBinary));
    ws.on('pong', () => (this.#alive = true));
    ws.on('close', () => this.#onClose());
    ws.on('error', (err) => this.#logger.debug({ err }, 'socket error'));
    this.#startAuthTimer();
  }

  get authenticated(): boolean {
    return this.#principal !== undefined;
  }

  mayRead(repository: string): boolean {
    return this.#principal !== undefined && claimAllows(this.#principal.claim.read, repository);
  }

  /**
   * A committed batch, offered to every session; `frame` is shared by all of them. False when this session
   * may not read the repository (nothing sent).
   */
  deliver(batch: SequencedBatch, frame: Frame): boolean {
    if (!this.mayRead(batch.repository)) return false;
    this.#feed(batch.repository)
      .live(batch, frame)
      ?.catch((err: unknown) => {
        // A missed broadcast could not be read from the store: the client reconnects and catches up.
        this.#logger.warn({ err, repository: batch.repository }, 'gap fill failed');
        this.#closeWithError('UNAVAILABLE', 'could not deliver missed events; reconnect and catch up');
      });
    return true;
  }

  /** After the gateway lost its bus connection: send what was committed meanwhile. */
  refresh(): void {
    for (const [repository, feed] of this.#feeds) {
      feed.refresh().catch((err: unknown) => {
        this.#logger.warn({ err, repository }, 'refresh failed');
        this.#closeWithError('UNAVAILABLE', 'could not deliver missed events; reconnect and catch up');
      });
    }
  }

  /** Called on every heartbeat tick: a connection that did not answer the last ping is dropped. */
  heartbeat(): void {
    if (!this.#alive) {
      this.#logger.debug('no pong, terminating');
      this.#ws.terminate();
      return;
    }
    this.#alive = false;
    if (this.#ws.readyState === WebSocket.OPEN) this.#ws.ping();
  }

  close(code: number, reason: string): void {
    if (this.#ws.readyState === WebSocket.OPEN || this.#ws.readyState === WebSocket.CONNECTING)
      this.#ws.close(code, reason);
  }

  #send(frame: Frame): boolean {
    if (this.#ws.readyState !== WebSocket.OPEN) return false;
    if (this.#ws.bufferedAmount > this.#ctx.limits.maxOutboundBytes) {
      this.#dropSlowConsumer('send buffer overflow: read faster or reconnect and catch up');
      return false;
    }
    this.#ws.send(frame, { binary: false });
    return true;
  }

  #dropSlowConsumer(message: string): void {
    this.#ctx.metrics.slowConsumers.inc();
    this.#logger.warn({ bufferedBytes: this.#ws.bufferedAmount }, 'slow consumer disconnected');
    this.#closeWithError('SLOW_CONSUMER', message);
  }

  #sendError(code: ErrorCode, message: string, extra: Parameters<typeof errorFrame>[2] = {}): void {
    this.#ctx.metrics.rejections.inc({ code });
    this.#send(errorFrame(code, message, extra));
  }

  #closeWithError(code: ErrorCode, message: string): void {
    this.#ctx.metrics.rejections.inc({ code });
    if (this.#ws.readyState === WebSocket.OPEN) this.#ws.send(errorFrame(code, message));
    this.close(errorCodes[code].closeCode ?? 1008, code);
    // A peer that does not read never answers the close handshake; don't hold its buffers for long.
    setTimeout(() => this.#ws.terminate(), CLOSE_GRACE_MS).unref();
  }

  /** Resolves true once the send buffer is half empty; false if the socket closed or stayed full too long. */
  #writable(): Promise<boolean> {
    const deadline = Date.now() + this.#ctx.limits.slowConsumerTimeoutMs;
    return new Promise((resolve) => {
      const check = () => {
        if (this.#ws.readyState !== WebSocket.OPEN) return resolve(false);
        if (this.#ws.bufferedAmount < this.#ctx.limits.maxOutboundBytes / 2) return resolve(true);
        if (Date.now() >= deadline) {
          this.#dropSlowConsumer('not reading: reconnect and catch up');
          return resolve(false);
        }
        setTimeout(check, WRITABLE_POLL_MS);
      };
      check();
    });
  }

  #feed(repository: string): RepositoryFeed {
    let feed = this.#feeds.get(repository);
    if (feed === undefined) {
      feed = new RepositoryFeed(
        repository,
        this.#ctx.store,
        { send: (frame) => this.#send(frame), writable: () => this.#writable() },
        this.#ctx.limits.catchUpPageSize,
      );
      this.#feeds.set(repository, feed);
    }
    return feed;
  }

  #onFrame(data: WebSocket.RawData, isBinary: boolean): void {
    this.#alive = true;
    const retryAfterMs = this.#limiter.take();
    if (retryAfterMs > 0) {
      this.#sendError('RATE_LIMITED', 'too many messages', { retryAfterMs });
      return;
    }
    if (isBinary) return this.#invalid('INVALID_MESSAGE', 'binary frames are not supported; send JSON text');
    const size = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data.byteLength;
    if (size > this.#ctx.limits.maxFrameBytes) {
      return this.#invalid('PAYLOAD_TOO_LARGE', `frame larger than ${this.#ctx.limits.maxFrameBytes} bytes`);
    }
    let json: unknown;
    try {
      json = JSON.parse(data.toString());
    } catch {
      return this.#invalid('INVALID_MESSAGE', 'frame is not valid JSON');
    }
    const envelope = frameEnvelopeSchema.safeParse(json);
    if (!envelope.success)
      return this.#invalid('INVALID_MESSAGE', 'frame must be a JSON object with a string "type"');
    const parsed = clientMessageSchema.safeParse(json);
    if (!parsed.success) {
      const known = clientMessageSchema.options.some((o) => o.shape.type.value === envelope.data.type);
      if (!known)
        return this.#invalid('UNKNOWN_TYPE', `unknown message type "${envelope.data.type.slice(0, 64)}"`);
      const repositoryIssue = parsed.error.issues.find((i) => i.path[0] === 'repository');
      if (repositoryIssue !== undefined)
        return this.#invalid('INVALID_REPOSITORY', `invalid repository: ${repositoryIssue.message}`);
      const eventIds = eventIdsOf(json);
      const issue = parsed.error.issues[0];
      return this.#invalid(
        'INVALID_MESSAGE',
        `invalid ${envelope.data.type}: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim(),
        eventIds,
      );
    }
    this.#ctx.metrics.frames.inc({ type: parsed.data.type });
    this.#handle(parsed.data).catch((err: unknown) => {
      this.#logger.error({ err }, 'frame handling failed');
      this.#sendError('INTERNAL', 'internal error');
    });
  }

  #invalid(code: ErrorCode, message: string, eventIds: string[] = []): void {
    this.#invalidFrames += 1;
    this.#sendError(code, message, eventIds.length > 0 ? { eventIds } : {});
    if (this.#invalidFrames > this.#ctx.limits.invalidFrameLimit) {
      this.#closeWithError('PROTOCOL_VIOLATION', 'too many invalid frames');
    }
  }

  async #handle(message: ClientMessage): Promise<void> {
    switch (message.type) {
      case 'ping':
        this.#send('{"type":"pong"}');
        return;
      case 'pong':
      case 'events_received':
        return;
      case 'auth':
        this.#authInFlight = this.#authenticate(message);
        return this.#authInFlight;
      case 'push_event':
      case 'push_events_batch':
      case 'request_events':
      case 'request_all_events':
        break;
    }
    // Frames sent right after `auth` (the Dart client flushes at once) wait for its verdict.
    if (this.#authInFlight !== undefined) await this.#authInFlight;
    if (this.#principal === undefined) {
      this.#sendError('NOT_AUTHENTICATED', 'send auth first', { eventIds: eventIdsOf(message) });
      return;
    }
    switch (message.type) {
      case 'push_event':
        return this.#push(message.repository, [message.event]);
      case 'push_events_batch':
        return this.#push(message.repository, message.events);
      case 'request_events':
        return this.#requestEvents(message.repository, message.afterSequence ?? 0, message.limit);
      case 'request_all_events':
        return this.#requestAllEvents(message.repository, message.limit);
    }
  }

  async #authenticate(message: AuthMessage): Promise<void> {
    const token = tokenOfAuthMessage(message);
    if (token === undefined) return this.#closeWithError('INVALID_TOKEN', 'auth needs a token');
    let principal: Principal;
    try {
      principal = await this.#ctx.verify(token);
    } catch (err) {
      const code: ErrorCode = err instanceof AppError ? err.code : 'INVALID_TOKEN';
      this.#logger.info({ code }, 'authentication refused');
      return this.#closeWithError(code, code === 'TOKEN_EXPIRED' ? 'token expired' : 'invalid token');
    }
    const wasAuthenticated = this.#principal !== undefined;
    this.#principal = principal;
    for (const repository of this.#feeds.keys())
      if (!this.mayRead(repository)) this.#feeds.delete(repository);
    clearTimeout(this.#authTimer);
    this.#scheduleExpiry(principal.expiresAt);
    if (!wasAuthenticated) this.#ctx.onAuthenticated(this, true);
    this.#logger.info({ subject: principal.subject, refresh: wasAuthenticated }, 'authenticated');
    this.#send(
      JSON.stringify({
        type: 'auth_success',
        sessionId: this.id,
        ...(principal.expiresAt === undefined ? {} : { expiresAt: principal.expiresAt }),
      }),
    );
  }

  #scheduleExpiry(expiresAt: number | undefined): void {
    clearTimeout(this.#expiryTimer);
    if (expiresAt === undefined) return;
    // setTimeout overflows past ~24.8 days; such tokens are re-checked when the timer fires.
    const delayMs = Math.min(Math.max(0, expiresAt - Date.now()), 2 ** 31 - 1);
    this.#expiryTimer = setTimeout(() => {
      if (Date.now() < expiresAt) return this.#scheduleExpiry(expiresAt);
      this.#principal = undefined;
      this.#feeds.clear();
      this.#ctx.onAuthenticated(this, false);
      this.#sendError('TOKEN_EXPIRED', 'token expired: send auth with a fresh token');
      this.#startAuthTimer();
    }, delayMs);
  }

  #startAuthTimer(): void {
    clearTimeout(this.#authTimer);
    this.#authTimer = setTimeout(() => {
      if (this.#principal === undefined) this.#closeWithError('AUTH_TIMEOUT', 'no valid auth in time');
    }, this.#ctx.limits.authTimeoutMs);
  }

  async #push(repository: string, events: readonly unknown[]): Promise<void> {
    const ids = eventIdsOf({ events });
    if (!claimAllows(this.#principal?.claim.write ?? [], repository)) {
      this.#sendError('FORBIDDEN', `no write access to ${repository}`, { eventIds: ids, repository });
      return;
    }
    if (this.#pendingAcks + events.length > this.#ctx.limits.maxPendingAcks) {
      this.#sendError('TOO_MANY_PENDING', 'too many unacknowledged events; wait for acks', {
        eventIds: ids,
        repository,
        retryAfterMs: 500,
      });
      return;
    }
    const stopTimer = this.#ctx.metrics.pushAckLatency.startTimer();
    this.#pendingAcks += events.length;
    this.#ctx.metrics.pushedEvents.inc({ transport: 'ws' }, events.length);
    try {
      const outcome = await this.#ctx.push.push(repository, events);
      if (outcome.acked.length > 0) {
        this.#logger.debug({ repository, eventIds: outcome.acked.map((r) => r.eventId) }, 'push acked');
        this.#send(ackFrame(repository, outcome.acked));
        this.#ctx.metrics.ackedEvents.inc({ transport: 'ws' }, outcome.acked.length);
        stopTimer();
      }
      for (const rejection of outcome.rejected) {
        this.#sendError(rejection.code, rejection.message, {
          eventIds: rejection.eventIds,
          repository,
          ...(rejection.retryAfterMs === undefined ? {} : { retryAfterMs: rejection.retryAfterMs }),
        });
      }
    } finally {
      this.#pendingAcks -= events.length;
    }
  }

  async #requestEvents(
    repository: string,
    afterSequence: number,
    pageSize: number | undefined,
  ): Promise<void> {
    if (!this.mayRead(repository)) {
      this.#sendError('FORBIDDEN', `no read access to ${repository}`, { repository });
      return;
    }
    let lastSequence: number;
    try {
      lastSequence = await this.#feed(repository).catchUp(afterSequence, pageSize);
    } catch (err) {
      this.#logger.warn({ err, repository }, 'catch-up failed');
      this.#sendError('UNAVAILABLE', 'catch-up failed; request again', { repository, retryAfterMs: 1_000 });
      return;
    }
    this.#send(syncCompleteFrame(repository, lastSequence));
  }

  async #requestAllEvents(repository: string | undefined, pageSize: number | undefined): Promise<void> {
    if (repository !== undefined) return this.#requestEvents(repository, 0, pageSize);
    try {
      const repositories = (await this.#ctx.store.repositories()).filter((r) => this.mayRead(r));
      for (const name of repositories) await this.#feed(name).catchUp(0, pageSize);
    } catch (err) {
      this.#logger.warn({ err }, 'catch-up failed');
      this.#sendError('UNAVAILABLE', 'catch-up failed; request again', { retryAfterMs: 1_000 });
      return;
    }
    this.#send(syncCompleteFrame(undefined, undefined));
  }

  #onClose(): void {
    clearTimeout(this.#authTimer);
    clearTimeout(this.#expiryTimer);
    if (this.#principal !== undefined) this.#ctx.onAuthenticated(this, false);
    this.#principal = undefined;
    this.#feeds.clear();
  }
}

function eventIdsOf(value: unknown): string[] {
  if (typeof value !== 'object' || value === null) return [];
  const record = value as Record<string, unknown>;
  const events = Array.isArray(record['events']) ? (record['events'] as unknown[]) : [record['event']];
  return events
    .map((e) =>
      typeof e === 'object' && e !== null ? (e as Record<string, unknown>)['_event_id'] : undefined,
    )
    .filter((id): id is string => typeof id === 'string' && id.length <= 128);
}
