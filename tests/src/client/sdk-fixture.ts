import {
  createSyncClient,
  type SyncClient,
  type SyncClientOptions,
  type SyncError,
  type WebSocketConstructor,
} from '@lfsync/client';
import { onTestFinished } from 'vitest';
import WebSocket from 'ws';
import type { TestStack } from '../stack.ts';

export type SentFrame = Record<string, unknown> & { type: string };

/** An SDK client on a real gateway, with the frames it sent and received and the errors it reported. */
export interface SdkClient {
  readonly client: SyncClient;
  readonly sent: SentFrame[];
  readonly received: SentFrame[];
  /** Every socket the client opened, the current one last (to break one from the outside). */
  readonly sockets: WebSocket[];
  readonly errors: SyncError[];
}

/**
 * `ws`'s WebSocket (Node 20 has no global one), recording every frame the SDK sends and receives so that
 * tests can check what it asked for (e.g. the `afterSequence` of its catch-up) and what came.
 */
function recordingWebSocket(
  sent: SentFrame[],
  received: SentFrame[],
  sockets: WebSocket[],
): WebSocketConstructor {
  return class {
    constructor(url: string) {
      const socket = new WebSocket(url);
      sockets.push(socket);
      const send = socket.send.bind(socket);
      socket.send = ((data: string) => {
        sent.push(JSON.parse(data) as SentFrame);
        send(data);
      }) as typeof socket.send;
      // Recorded only while the SDK listens: frames that reach a socket it already dropped never reach it.
      Object.defineProperty(socket, 'onmessage', {
        set(handler: ((event: { data: unknown }) => void) | null) {
          socket.removeAllListeners('message');
          if (handler === null) return;
          socket.on('message', (data: Buffer) => {
            const text = data.toString();
            received.push(JSON.parse(text) as SentFrame);
            handler({ data: text });
          });
        },
      });
      return socket;
    }
  } as unknown as WebSocketConstructor;
}

export async function sdkClient(
  stack: TestStack,
  options: {
    readonly subject: string;
    readonly repositories: readonly string[];
    readonly gateway?: number;
  } & Partial<SyncClientOptions>,
): Promise<SdkClient> {
  const sent: SentFrame[] = [];
  const received: SentFrame[] = [];
  const sockets: WebSocket[] = [];
  const errors: SyncError[] = [];
  const client = await createSyncClient({
    url: stack.gatewayUrl(options.gateway ?? 0),
    tokenProvider: () => stack.token(options.subject),
    webSocket: recordingWebSocket(sent, received, sockets),
    backoff: { baseMs: 50, capMs: 500 },
    heartbeat: { intervalMs: 1_000, timeoutMs: 2_000 },
    ...options,
  });
  client.onError((error) => errors.push(error));
  onTestFinished(() => client.stop());
  return { client, sent, received, sockets, errors };
}

/** The records of a repository as `id → data`, for comparing clients. */
export function snapshot(client: SyncClient, repository: string): Record<string, unknown> {
  return Object.fromEntries(
    client
      .repository<Record<string, unknown>>(repository)
      .all()
      .map((entry) => [entry.id, entry.data]),
  );
}

/** The catch-ups asked for: a `subscribe` with `afterSequence` (the first on a connection) or a `request_events`. */
export function requestsOf(sent: readonly SentFrame[], repository: string): SentFrame[] {
  return sent.filter(
    (frame) =>
      (frame.type === 'request_events' || (frame.type === 'subscribe' && 'afterSequence' in frame)) &&
      frame['repository'] === repository,
  );
}

/** The sequences of `repository` that arrived in `events` frames, in order. */
export function sequencesReceived(received: readonly SentFrame[], repository: string): number[] {
  return received
    .filter((frame) => frame.type === 'events' && frame['repository'] === repository)
    .flatMap((frame) => (frame['events'] as { serverSequence: number }[]).map((e) => e.serverSequence));
}
