import type { Server } from 'node:http';
import type { Clock } from '@lfsync/ports';
import type { WebSocketServer } from 'ws';
import type { Session } from '../ws/session.ts';

export interface RunningGateway {
  server: Server;
  wss: WebSocketServer;
  sessions: ReadonlySet<Session>;
  clock: Clock;
  /** Stops what runs besides the server (heartbeat, commit intake), then releases the adapters. */
  release: { beforeClose(): void; afterClose(): Promise<void> };
}

const CLOSE_DEADLINE_MS = 2_000;
const CLOSE_POLL_MS = 20;

type Listening = Pick<RunningGateway, 'server' | 'wss' | 'sessions' | 'clock'>;

/** Stops accepting, closes every session with 1001 (terminating those that linger), then releases. */
export async function stopGateway(gateway: RunningGateway): Promise<void> {
  const { server } = gateway;
  gateway.release.beforeClose();
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  await closeSessions(gateway);
  server.closeAllConnections();
  await closed;
  await gateway.release.afterClose();
}

/**
 * The operator's drain: stops accepting connections and closes every session with 1001 so clients reconnect
 * to another gateway; the process keeps running (its ops port answers) until it is stopped.
 * Returns how many sessions were open.
 */
export async function drainGateway(gateway: Listening): Promise<number> {
  const open = gateway.sessions.size;
  if (gateway.server.listening) gateway.server.close();
  await closeSessions(gateway);
  return open;
}

async function closeSessions({ wss, sessions, clock }: Listening): Promise<void> {
  for (const session of sessions) session.close(1001, 'SHUTTING_DOWN');
  const deadline = clock.now() + CLOSE_DEADLINE_MS;
  while (wss.clients.size > 0 && clock.now() < deadline) await clock.sleep(CLOSE_POLL_MS);
  for (const ws of wss.clients) ws.terminate();
}
