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

/** An SDK client on a real gateway, with the frames it sent and the errors it reported. */
export interface SdkClient {
  readonly client: SyncClient;
  readonly sent: SentFrame[];
  readonly errors: SyncError[];
}

/**
 * `ws`'s WebSocket (Node 20 has no global one), recording every frame the SDK sends so that tests can check
 * what it asked for (e.g. the `afterSequence` of its catch-up).
 */
function recordingWebSocket(sent: SentFrame[]): WebSocketConstructor {
  return class {
    constructor(url: string) {
      const socket = new WebSocket(url);
      const send = socket.send.bind(socket);
      socket.send = ((data: string) => {
        sent.push(JSON.parse(data) as SentFrame);
        send(data);
      }) as typeof socket.send;
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
  const errors: SyncError[] = [];
  const client = await createSyncClient({
    url: stack.gatewayUrl(options.gateway ?? 0),
    tokenProvider: () => stack.token(options.subject),
    webSocket: recordingWebSocket(sent),
    backoff: { baseMs: 50, capMs: 500 },
    heartbeat: { intervalMs: 1_000, timeoutMs: 2_000 },
    ...options,
  });
  client.onError((error) => errors.push(error));
  onTestFinished(() => client.stop());
  return { client, sent, errors };
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

export function requestsOf(sent: readonly SentFrame[], repository: string): SentFrame[] {
  return sent.filter((frame) => frame.type === 'request_events' && frame['repository'] === repository);
}
