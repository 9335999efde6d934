import { setTimeout as delay } from 'node:timers/promises';
import { connect, errors, type ConnectionOptions, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import './nats-request-patch.ts';
import { natsConnectionOptions, natsIdentity, type NatsConnectionConfig } from './nats-options.ts';

export interface NatsHandle {
  nc: NatsConnection;
  /** False while the client is disconnected and reconnecting: feeds `/readyz`. */
  connected(): boolean;
  /** Called after each reconnect (a subscriber may have missed core-NATS messages meanwhile). */
  onReconnect(listener: () => void): void;
}

const RECONNECT_OPTIONS = {
  maxReconnectAttempts: -1,
  reconnectTimeWait: 250,
  pingInterval: 5_000,
  maxPingOut: 3,
  // Rejected credentials (rotated, revoked) keep the client retrying instead of closing it for good.
  ignoreAuthErrorAbort: true,
  // Otherwise every request builds an Error with a stack up front, in case it fails: the sequencer's
  // top self time in profiles (halved its p50 when removed).
  noAsyncTraces: true,
} as const;

const isAuthError = (err: unknown) =>
  err instanceof errors.AuthorizationError || err instanceof errors.UserAuthenticationExpiredError;

/**
 * The first connection, retried until it succeeds: a service started while NATS is down, or with
 * credentials NATS rejects, waits instead of exiting. Each kind of failure is logged once per streak.
 */
async function firstConnection(
  options: ConnectionOptions,
  identity: Record<string, string>,
  logger: Logger,
): Promise<NatsConnection> {
  let lastFailure: 'auth' | 'other' | undefined;
  for (let attempt = 0; ; attempt++) {
    try {
      return await connect(options);
    } catch (err) {
      const failure = isAuthError(err) ? 'auth' : 'other';
      if (failure !== lastFailure && failure === 'auth') {
        logger.error({ ...identity, servers: options.servers }, 'nats authorization failed');
      } else if (failure !== lastFailure) {
        logger.warn({ err, servers: options.servers }, 'nats connect failed, retrying');
      }
      lastFailure = failure;
      await delay(Math.min(2_000, 250 * 2 ** Math.min(attempt, 3)));
    }
  }
}

/** Tracks the connection for `/readyz`; rejected credentials are logged once until a reconnect succeeds. */
async function watchStatus(
  nc: NatsConnection,
  state: { connected: boolean; listeners: Array<() => void> },
  identity: Record<string, string>,
  logger: Logger,
): Promise<void> {
  let authFailing = false;
  for await (const status of nc.status()) {
    if (status.type === 'disconnect') {
      state.connected = false;
      logger.warn({ status: status.type }, 'nats disconnected');
    } else if (status.type === 'reconnect') {
      state.connected = true;
      authFailing = false;
      logger.info({ status: status.type }, 'nats reconnected');
      for (const listener of state.listeners) listener();
    } else if (status.type === 'ldm') {
      // The server is in lame-duck mode (a rolling restart): the client moves to another node by itself.
      logger.info({ status: status.type }, 'nats server entering lame duck mode');
    } else if (status.type === 'error') {
      if (!isAuthError(status.error)) logger.warn({ err: status.error }, 'nats error');
      else if (!authFailing) logger.error(identity, 'nats authorization failed');
      authFailing ||= isAuthError(status.error);
    }
  }
}

/**
 * Connects with unlimited reconnects: a service outlives NATS restarts instead of exiting. A plain URL
 * connects without credentials; a config also brings its user/password, creds or nkey, and TLS files.
 */
export async function connectNats(
  target: string | NatsConnectionConfig,
  name: string,
  logger: Logger,
): Promise<NatsHandle> {
  const config = typeof target === 'string' ? { NATS_URL: target } : target;
  const identity = natsIdentity(config);
  const nc = await firstConnection(
    { ...natsConnectionOptions(config), ...RECONNECT_OPTIONS, name },
    identity,
    logger,
  );
  const state = { connected: true, listeners: [] as Array<() => void> };
  void watchStatus(nc, state, identity, logger);
  return {
    nc,
    connected: () => state.connected && !nc.isClosed(),
    onReconnect: (listener) => state.listeners.push(listener),
  };
}

/** For features of newer servers (e.g. batch direct get, 2.11). */
export function serverAtLeast(serverVersion: string | undefined, major: number, minor: number): boolean {
  const [actualMajor = 0, actualMinor = 0] = (serverVersion ?? '')
    .split('.')
    .map((part) => Number.parseInt(part, 10));
  return actualMajor > major || (actualMajor === major && actualMinor >= minor);
}
