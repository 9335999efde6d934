import WebSocket from 'ws';

export interface PushRecord {
  repository: string;
  eventId: string;
  /** When it was first pushed and first acked (epoch ms). */
  pushedAt: number;
  ackedAt?: number;
  /** Set once acked. */
  sequence?: number;
}

/**
 * A client that pushes until every event is acked, whatever happens to the servers: it reconnects (to
 * the next gateway) and re-sends everything not yet acked, as an SDK does.
 */
export class ReliablePusher {
  readonly records = new Map<string, PushRecord>();
  readonly #urls: readonly string[];
  readonly #token: string;
  #socket: WebSocket | undefined;
  #ready = false;
  #urlIndex: number;
  #stopped = false;
  reconnects = 0;
  ackMismatches: string[] = [];

  constructor(urls: readonly string[], token: string, start: number) {
    this.#urls = urls;
    this.#token = token;
    this.#urlIndex = start;
  }

  start(): void {
    this.#connect();
  }

  push(repository: string, eventIds: string[]): void {
    const pushedAt = Date.now();
    for (const eventId of eventIds) this.records.set(eventId, { repository, eventId, pushedAt });
    this.#send(repository, eventIds);
  }

  get unacked(): PushRecord[] {
    return [...this.records.values()].filter((r) => r.sequence === undefined);
  }

  /** Sends again what is not acked (and was pushed at least `olderThanMs` ago). */
  resendUnacked(olderThanMs = 0): void {
    const byRepository = new Map<string, string[]>();
    const before = Date.now() - olderThanMs;
    for (const record of this.unacked) {
      if (record.pushedAt > before) continue;
      const list = byRepository.get(record.repository) ?? [];
      list.push(record.eventId);
      byRepository.set(record.repository, list);
    }
    for (const [repository, ids] of byRepository) {
      for (let i = 0; i < ids.length; i += 100) this.#send(repository, ids.slice(i, i + 100));
    }
  }

  stop(): void {
    this.#stopped = true;
    this.#socket?.terminate();
  }

  #send(repository: string, eventIds: string[]): void {
    if (!this.#ready || this.#socket?.readyState !== WebSocket.OPEN) return;
    const events = eventIds.map((id) => ({
      _event_id: id,
      _operation: 0,
      _created_at: new Date().toISOString(),
      _data: { id },
    }));
    this.#socket.send(JSON.stringify({ type: 'push_events_batch', repository, events }));
  }

  #connect(): void {
    if (this.#stopped) return;
    const url = this.#urls[this.#urlIndex % this.#urls.length] as string;
    this.#urlIndex += 1;
    const socket = new WebSocket(url);
    this.#socket = socket;
    this.#ready = false;
    socket.on('open', () => socket.send(JSON.stringify({ type: 'auth', token: this.#token })));
    socket.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString()) as Record<string, unknown>;
      if (frame['type'] === 'auth_success') {
        this.#ready = true;
        this.resendUnacked();
      } else if (frame['type'] === 'ack') {
        for (const [eventId, sequence] of Object.entries(frame['sequences'] as Record<string, number>)) {
          const record = this.records.get(eventId);
          if (record === undefined) continue;
          if (record.sequence !== undefined && record.sequence !== sequence) {
            this.ackMismatches.push(`${eventId}: ${record.sequence} then ${sequence}`);
          }
          record.sequence = sequence;
          record.ackedAt ??= Date.now();
        }
      }
    });
    const retry = () => {
      if (this.#socket !== socket || this.#stopped) return;
      this.#ready = false;
      this.reconnects += 1;
      setTimeout(() => this.#connect(), 100 + Math.random() * 300);
    };
    socket.on('close', retry);
    socket.on('error', () => socket.terminate());
  }
}
