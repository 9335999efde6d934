import WebSocket from 'ws';
import type { Endpoint } from './messages.ts';
import { openSocket } from './open-socket.ts';

export interface Publication {
  t?: number;
  seq?: number;
}

/**
 * A minimal Centrifugo client speaking its JSON protocol (v2) over /connection/websocket: `connect` with a
 * JWT, `subscribe`, publications as `push` messages, and the empty-object ping/pong. One WebSocket frame may
 * carry several newline-separated messages.
 */
export class CentrifugoSession {
  onPublication: ((channel: string, data: Publication, bytes: number) => void) | undefined;
  onClose: ((code: number, reason: string) => void) | undefined;
  readonly #socket: WebSocket;
  readonly #replies = new Map<number, (reply: Record<string, unknown>) => void>();
  #nextId = 1;

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.on('message', (data: Buffer) => {
      const text = data.toString();
      for (const line of text.split('\n')) {
        if (line === '') continue;
        if (line === '{}') {
          socket.send('{}');
          continue;
        }
        this.#dispatch(JSON.parse(line) as Record<string, unknown>, data.length);
      }
    });
    socket.on('close', (code, reason) => this.onClose?.(code, reason.toString()));
  }

  static connect(endpoint: Endpoint, token: string, timeoutMs = 30_000): Promise<CentrifugoSession> {
    return openSocket(endpoint, timeoutMs, (socket, done) => {
      const session = new CentrifugoSession(socket);
      socket.once('open', () => {
        session.#command('connect', { token }).then(
          () => done(),
          (err: unknown) => done(String(err)),
        );
      });
      return session;
    });
  }

  async subscribe(channel: string): Promise<void> {
    await this.#command('subscribe', { channel });
  }

  terminate(): void {
    this.#socket.terminate();
  }

  close(): void {
    this.#socket.close();
  }

  #command(method: string, params: Record<string, unknown>): Promise<Record<string, unknown>> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#replies.set(id, (reply) => {
        const error = reply['error'] as { code?: number; message?: string } | undefined;
        if (error !== undefined)
          reject(new Error(`centrifugo ${method} error ${error.code ?? '?'}: ${error.message ?? ''}`));
        else resolve(reply);
      });
      this.#socket.send(JSON.stringify({ id, [method]: params }));
    });
  }

  #dispatch(message: Record<string, unknown>, bytes: number): void {
    const id = message['id'];
    if (typeof id === 'number') {
      const reply = this.#replies.get(id);
      this.#replies.delete(id);
      reply?.(message);
      return;
    }
    const push = message['push'] as { channel?: string; pub?: { data?: Publication } } | undefined;
    if (push?.pub !== undefined) this.onPublication?.(push.channel ?? '', push.pub.data ?? {}, bytes);
  }
}
