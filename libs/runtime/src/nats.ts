import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';

export interface NatsHandle {
  nc: NatsConnection;
  /** False while the client is disconnected and reconnecting: feeds `/readyz`. */
  connected(): boolean;
  /** Called after each reconnect (a subscriber may have missed core-NATS messages meanwhile). */
  onReconnect(listener: () => void): void;
}

/** Connects with unlimited reconnects: a service outlives NATS restarts instead of exiting. */
export async function connectNats(url: string, name: string, logger: Logger): Promise<NatsHandle> {
  const nc = await connect({
    servers: url.split(','),
    name,
    maxReconnectAttempts: -1,
    // A service started while NATS is down waits for it instead of exiting.
    waitOnFirstConnect: true,
    reconnectTimeWait: 250,
    pingInterval: 5_000,
    maxPingOut: 3,
    // Otherwise every request builds an Error with a stack up front, in case it fails: the sequencer's
    // top self time in profiles (halved its p50 when removed).
    noAsyncTraces: true,
  });
  let connected = true;
  const listeners: Array<() => void> = [];
  void (async () => {
    for await (const status of nc.status()) {
      // Only these statuses change what the service reports; the rest (ping, stale connection, …) need nothing.
      // eslint-disable-next-line @typescript-eslint/switch-exhaustiveness-check
      switch (status.type) {
        case 'disconnect':
          connected = false;
          logger.warn({ status: status.type }, 'nats disconnected');
          break;
        case 'reconnect':
          connected = true;
          logger.info({ status: status.type }, 'nats reconnected');
          for (const listener of listeners) listener();
          break;
        case 'error':
          logger.warn({ err: status.error }, 'nats error');
          break;
        default:
          break;
      }
    }
  })();
  return {
    nc,
    connected: () => connected && !nc.isClosed(),
    onReconnect: (listener) => listeners.push(listener),
  };
}

/** For features of newer servers (e.g. batch direct get, 2.11). */
export function serverAtLeast(serverVersion: string | undefined, major: number, minor: number): boolean {
  const [actualMajor = 0, actualMinor = 0] = (serverVersion ?? '')
    .split('.')
    .map((part) => Number.parseInt(part, 10));
  return actualMajor > major || (actualMajor === major && actualMinor >= minor);
}
