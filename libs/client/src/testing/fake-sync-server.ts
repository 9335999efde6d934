import {
  clientEventSchema,
  dataIdOf,
  clientMessageSchema,
  patternMatches,
  type ClientEvent,
  serverEventSchema,
  tokenOfAuthMessage,
  type ClientMessage,
  type ErrorCode,
  type ServerEvent,
  type ServerMessage,
} from '@lfsync/contracts';
import type { WebSocketConstructor, WebSocketLike } from '../sync/web-socket.ts';
import { FakePresence } from './fake-presence.ts';

export interface FakeSyncServerOptions {
  /** Whether a pusher gets the broadcast of its own events; default true (what our gateway does). */
  readonly echo?: boolean;
  /** Events per catch-up page; default 100. */
  readonly pageSize?: number;
  /** Which tokens authenticate; default every non-empty one. */
  readonly acceptToken?: (token: string) => boolean;
  /** Events answered per `request_events` at most (then `sync_complete` with the true head), like a server that truncates. */
  readonly catchUpLimit?: number;
  /** The `expiresAt` (epoch ms) announced in `auth_success` for a token; default none. */
  readonly tokenExpiresAt?: (token: string) => number | undefined;
}

/** Decides whether the server refuses a `subscribe` (also one with `presence`), and with which error. */
export type SubscriptionRefusal = (
  repository: string,
  presence: boolean,
) => { readonly code: ErrorCode; readonly retryAfterMs?: number } | undefined;

/** Decides whether the server refuses a pushed event, and with which error (`retryAfterMs` for retryable ones). */
export type Refusal = (
  repository: string,
  event: ClientEvent,
) => { readonly code: ErrorCode; readonly retryAfterMs?: number } | undefined;

type Handler = ((event: never) => void) | null;

/**
 * An in-memory gateway for unit tests: the server role of docs/protocol.md (auth, gapless per-repository
 * sequences, idempotent pushes acknowledged with their sequences, paged catch-up ending in `sync_complete`,
 * broadcast to every authenticated connection) over fake sockets, plus knobs to misbehave: refuse
 * connections, hold acks, go silent, drop broadcasts, refuse given events, inject any frame.
 * Frames are delivered asynchronously (microtasks), like a network would.
 */
export class FakeSyncServer {
  readonly connections: FakeServerConnection[] = [];
  /** While true, new sockets fail to open (as when the gateway is down). */
  refuseConnections = false;
  /** While true, new connections open but the server never answers on them. */
  acceptSilently = false;
  /** Called with every new connection before its socket opens (to set its knobs). */
  onConnection: (connection: FakeServerConnection) => void = () => undefined;
  readonly #options: Required<FakeSyncServerOptions>;
  readonly #logs = new Map<string, ServerEvent[]>();
  readonly #sequenceOf = new Map<string, Map<string, number>>();
  /** Set to refuse some pushed events. */
  refuse: Refusal = () => undefined;
  /** Set to refuse some subscriptions. */
  refuseSubscription: SubscriptionRefusal = () => undefined;
  readonly presence = new FakePresence();

  readonly WebSocket: WebSocketConstructor;

  constructor(options: FakeSyncServerOptions = {}) {
    this.#options = {
      echo: options.echo ?? true,
      pageSize: options.pageSize ?? 100,
      acceptToken: options.acceptToken ?? ((token) => token !== ''),
      catchUpLimit: options.catchUpLimit ?? Number.POSITIVE_INFINITY,
      tokenExpiresAt: options.tokenExpiresAt ?? (() => undefined),
    };
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the socket class must reach its server
    const server = this;
    this.WebSocket = class extends FakeWebSocket {
      constructor(url: string) {
        super(url, server);
      }
    };
  }

  /** The repository's log, sequence 1 first. */
  events(repository: string): readonly ServerEvent[] {
    return this.#logs.get(repository) ?? [];
  }

  get openConnections(): FakeServerConnection[] {
    return this.connections.filter((c) => c.isOpen);
  }

  get lastConnection(): FakeServerConnection {
    const connection = this.connections.at(-1);
    if (connection === undefined) throw new Error('no connection yet');
    return connection;
  }

  /** Stores an event as if another client pushed it, and broadcasts it. Returns its sequence. */
  append(repository: string, event: Record<string, unknown>): number {
    const [sequence] = this.#store(repository, [event], undefined).sequences;
    if (sequence === undefined) throw new Error('event refused');
    return sequence;
  }

  /** Closes every open connection from the server side. */
  dropAll(code = 1006, reason = 'gone'): void {
    for (const connection of this.openConnections) connection.close(code, reason);
  }

  /** @internal */
  accept(socket: FakeWebSocket): FakeServerConnection {
    const connection = new FakeServerConnection(
      socket,
      (frame) => this.#handle(connection, frame),
      () => this.presence.leaveAll(connection.sessionId),
    );
    connection.silent = this.acceptSilently;
    this.onConnection(connection);
    this.connections.push(connection);
    return connection;
  }

  #handle(connection: FakeServerConnection, frame: ClientMessage): void {
    switch (frame.type) {
      case 'auth': {
        const token = tokenOfAuthMessage(frame) ?? '';
        connection.tokens.push(token);
        if (!this.#options.acceptToken(token)) {
          connection.send({ type: 'error', code: 'INVALID_TOKEN', message: 'invalid token' });
          connection.close(4401, 'invalid token');
          return;
        }
        connection.authenticated = true;
        const expiresAt = this.#options.tokenExpiresAt(token);
        connection.sessionId = `session-${this.connections.indexOf(connection) + 1}`;
        connection.subject = token;
        connection.send({
          type: 'auth_success',
          sessionId: connection.sessionId,
          ...(expiresAt === undefined ? {} : { expiresAt }),
        });
        return;
      }
      case 'ping':
        connection.send({ type: 'pong' });
        return;
      case 'pong':
      case 'events_received':
      case 'request_all_events':
        return;
      case 'subscribe':
        this.#subscribe(connection, frame);
        return;
      case 'unsubscribe':
        connection.subscriptions ??= new Set();
        connection.subscriptions.delete(frame.repository);
        this.presence.leave(frame.repository, connection.sessionId);
        connection.send({ type: 'unsubscribed', repository: frame.repository });
        return;
      case 'presence_update':
        if (!this.presence.isMember(frame.repository, connection.sessionId)) {
          connection.send({
            type: 'error',
            code: 'INVALID_MESSAGE',
            message: 'not a member',
            repository: frame.repository,
          });
          return;
        }
        this.presence.set(frame.repository, connection.member(frame.meta), connection);
        return;
      case 'push_event':
      case 'push_events_batch': {
        if (!connection.authenticated) {
          connection.send({ type: 'error', code: 'NOT_AUTHENTICATED', message: 'authenticate first' });
          return;
        }
        const events = frame.type === 'push_event' ? [frame.event] : frame.events;
        const { eventIds, sequences } = this.#store(frame.repository, events, connection);
        if (eventIds.length === 0) return;
        connection.ack({
          type: 'ack',
          eventIds,
          repositories: { [frame.repository]: eventIds },
          sequences: Object.fromEntries(eventIds.map((id, i) => [id, sequences[i] ?? 0])),
        });
        return;
      }
      case 'request_snapshot':
        this.#sendSnapshot(connection, frame.repository);
        return;
      case 'request_events':
        this.#catchUp(connection, frame.repository, frame.afterSequence ?? 0, frame.limit);
        return;
    }
  }

  #subscribe(connection: FakeServerConnection, frame: Extract<ClientMessage, { type: 'subscribe' }>): void {
    const { repository } = frame;
    const refusal = this.refuseSubscription(repository, frame.presence !== undefined);
    if (refusal !== undefined) {
      connection.send({ type: 'error', message: 'refused', repository, ...refusal });
      return;
    }
    connection.subscriptions ??= new Set();
    connection.subscriptions.add(repository);
    connection.send({ type: 'subscribed', repository });
    if (frame.presence !== undefined)
      this.presence.set(repository, connection.member(frame.presence.meta ?? {}), connection);
    if (frame.afterSequence !== undefined)
      this.#catchUp(connection, repository, frame.afterSequence, undefined);
  }

  #catchUp(
    connection: FakeServerConnection,
    repository: string,
    after: number,
    limit: number | undefined,
  ): void {
    const events = this.events(repository)
      .filter((e) => e.serverSequence > after)
      .slice(0, Math.min(limit ?? Number.POSITIVE_INFINITY, this.#options.catchUpLimit));
    for (let i = 0; i < events.length; i += this.#options.pageSize) {
      connection.send({ type: 'events', repository, events: events.slice(i, i + this.#options.pageSize) });
    }
    connection.send({ type: 'sync_complete', repository, lastSequence: this.events(repository).length });
  }

  /** The latest event of each record at the head, then `sync_complete` (nothing follows the head here). */
  #sendSnapshot(connection: FakeServerConnection, repository: string): void {
    const log = this.events(repository);
    const latest = new Map<string, ServerEvent>();
    for (const event of log) {
      const id = dataIdOf(event);
      if (id !== undefined) latest.set(id, event);
    }
    const sequence = log.length;
    const events = [...latest.values()];
    for (let i = 0; i < events.length; i += this.#options.pageSize) {
      const page = events.slice(i, i + this.#options.pageSize);
      connection.send({ type: 'snapshot', repository, sequence, events: page });
    }
    connection.send({ type: 'snapshot_complete', repository, sequence, count: events.length });
    connection.send({ type: 'sync_complete', repository, lastSequence: sequence });
  }

  #store(
    repository: string,
    events: readonly unknown[],
    pusher: FakeServerConnection | undefined,
  ): { eventIds: string[]; sequences: number[] } {
    const log = this.#logs.get(repository) ?? [];
    this.#logs.set(repository, log);
    const known = this.#sequenceOf.get(repository) ?? new Map<string, number>();
    this.#sequenceOf.set(repository, known);
    const eventIds: string[] = [];
    const sequences: number[] = [];
    const fresh: ServerEvent[] = [];
    for (const raw of events) {
      const parsed = clientEventSchema.safeParse(raw);
      if (!parsed.success) {
        const id =
          typeof raw === 'object' && raw !== null && '_event_id' in raw ? String(raw._event_id) : undefined;
        pusher?.send({
          type: 'error',
          code: 'INVALID_EVENT',
          message: parsed.error.message,
          ...(id === undefined ? {} : { eventIds: [id] }),
        });
        continue;
      }
      const refusal = this.refuse(repository, parsed.data);
      if (refusal !== undefined) {
        pusher?.send({
          type: 'error',
          message: 'refused',
          eventIds: [parsed.data._event_id],
          repository,
          ...refusal,
        });
        continue;
      }
      let sequence = known.get(parsed.data._event_id);
      if (sequence === undefined) {
        sequence = log.length + 1;
        const stored = serverEventSchema.parse({ ...parsed.data, serverSequence: sequence });
        log.push(stored);
        known.set(parsed.data._event_id, sequence);
        fresh.push(stored);
      }
      eventIds.push(parsed.data._event_id);
      sequences.push(sequence);
    }
    if (fresh.length > 0) {
      for (const connection of this.openConnections) {
        if (!connection.authenticated || (connection === pusher && !this.#options.echo)) continue;
        if (!connection.receives(repository)) continue;
        connection.broadcast({ type: 'events', repository, events: fresh });
      }
    }
    return { eventIds, sequences };
  }
}

/** The server's side of one fake socket. */
export class FakeServerConnection {
  /** Every frame the client sent, parsed. */
  readonly received: ClientMessage[] = [];
  /** Frames that failed the contracts' client-message schema (a test that sees any has found a bug). */
  readonly invalidFrames: unknown[] = [];
  readonly tokens: string[] = [];
  authenticated = false;
  sessionId = '';
  /** The token, standing in for its subject. */
  subject = '';
  /** Undefined until the first `subscribe`: until then the connection receives every repository. */
  subscriptions: Set<string> | undefined;
  /** While true, frames are recorded but nothing is answered or sent (a dead peer that the OS has not noticed). */
  silent = false;
  /** While true, acks are kept in `heldAcks` instead of being sent. */
  holdAcks = false;
  readonly heldAcks: ServerMessage[] = [];
  /** While true, broadcasts to this connection are lost. */
  dropBroadcasts = false;
  readonly #socket: FakeWebSocket;
  readonly #handle: (frame: ClientMessage) => void;
  readonly #closed: () => void;

  constructor(socket: FakeWebSocket, handle: (frame: ClientMessage) => void, closed: () => void) {
    this.#socket = socket;
    this.#handle = handle;
    this.#closed = closed;
  }

  /** Whether live events of `repository` reach this connection. */
  receives(repository: string): boolean {
    if (this.subscriptions === undefined) return true;
    for (const pattern of this.subscriptions) if (patternMatches(pattern, repository)) return true;
    return false;
  }

  member(meta: Record<string, unknown>): {
    sessionId: string;
    subject: string;
    meta: Record<string, unknown>;
  } {
    return { sessionId: this.sessionId, subject: this.subject, meta };
  }

  /** @internal The socket closed, from either side. */
  closed(): void {
    this.#closed();
  }

  get isOpen(): boolean {
    return this.#socket.readyState === 1;
  }

  /** Client frames of one type. */
  sent<T extends ClientMessage['type']>(type: T): Extract<ClientMessage, { type: T }>[] {
    return this.received.filter((frame): frame is Extract<ClientMessage, { type: T }> => frame.type === type);
  }

  /** The catch-ups the client asked for, in order: `subscribe` with `afterSequence`, then `request_events`. */
  catchUps(repository?: string): { readonly repository: string; readonly afterSequence: number }[] {
    const asked: { repository: string; afterSequence: number }[] = [];
    for (const frame of this.received) {
      if (frame.type !== 'subscribe' && frame.type !== 'request_events') continue;
      if (frame.afterSequence === undefined || (repository !== undefined && frame.repository !== repository))
        continue;
      asked.push({ repository: frame.repository, afterSequence: frame.afterSequence });
    }
    return asked;
  }

  /** Every frame sent to the client, in order. */
  readonly sentFrames: object[] = [];

  /** The sequences of `repository` sent to the client in `events` frames, in order. */
  sequencesSent(repository: string): number[] {
    return this.sentFrames.flatMap((frame) => {
      const f = frame as { type?: unknown; repository?: unknown; events?: { serverSequence: number }[] };
      return f.type === 'events' && f.repository === repository
        ? (f.events ?? []).map((e) => e.serverSequence)
        : [];
    });
  }

  /** Sends any frame, valid or not. */
  send(frame: ServerMessage | object): void {
    if (this.silent) return;
    this.sentFrames.push(frame);
    this.sendRaw(JSON.stringify(frame));
  }

  sendRaw(data: string): void {
    this.#socket.deliver(data);
  }

  ack(frame: ServerMessage): void {
    if (this.holdAcks) this.heldAcks.push(frame);
    else this.send(frame);
  }

  releaseAcks(): void {
    this.holdAcks = false;
    for (const frame of this.heldAcks.splice(0)) this.send(frame);
  }

  broadcast(frame: ServerMessage): void {
    if (!this.dropBroadcasts) this.send(frame);
  }

  /** Closes from the server side. */
  close(code: number, reason: string): void {
    this.#socket.closeFromServer(code, reason);
  }

  /** @internal */
  receive(data: string): void {
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      this.invalidFrames.push(data);
      return;
    }
    const parsed = clientMessageSchema.safeParse(json);
    if (!parsed.success) {
      this.invalidFrames.push(json);
      this.send({ type: 'error', code: 'INVALID_MESSAGE', message: parsed.error.message });
      return;
    }
    this.received.push(parsed.data);
    if (!this.silent) this.#handle(parsed.data);
  }
}

class FakeWebSocket implements WebSocketLike {
  readyState = 0;
  onopen: Handler = null;
  onmessage: Handler = null;
  onclose: Handler = null;
  onerror: Handler = null;
  readonly url: string;
  readonly #connection: FakeServerConnection | undefined;

  constructor(url: string, server: FakeSyncServer) {
    this.url = url;
    if (server.refuseConnections) {
      queueMicrotask(() => {
        this.readyState = 3;
        this.#fire('onerror', {});
        this.#fire('onclose', { code: 1006, reason: 'connection refused' });
      });
      return;
    }
    this.#connection = server.accept(this);
    queueMicrotask(() => {
      if (this.readyState !== 0) return;
      this.readyState = 1;
      this.#fire('onopen', {});
    });
  }

  send(data: string): void {
    if (this.readyState !== 1) throw new Error('socket not open');
    const connection = this.#connection;
    queueMicrotask(() => connection?.receive(data));
  }

  close(code = 1000, reason = ''): void {
    if (this.readyState >= 2) return;
    this.readyState = 3;
    this.#connection?.closed();
    queueMicrotask(() => this.#fire('onclose', { code, reason }));
  }

  deliver(data: string): void {
    queueMicrotask(() => {
      if (this.readyState === 1) this.#fire('onmessage', { data });
    });
  }

  closeFromServer(code: number, reason: string): void {
    if (this.readyState >= 2) return;
    // Frames already on the wire arrive before the close.
    queueMicrotask(() => {
      this.readyState = 3;
      this.#connection?.closed();
      this.#fire('onclose', { code, reason });
    });
  }

  #fire(name: 'onopen' | 'onmessage' | 'onclose' | 'onerror', event: object): void {
    const handler = this[name] as ((event: object) => void) | null;
    handler?.(event);
  }
}
