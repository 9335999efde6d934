import WebSocket from 'ws';

/**
 * A reader that follows repositories live through one gateway and catches up from its cursors after every
 * reconnect. It records every sequence violation it sees once caught up: a sequence delivered before a
 * lower one (I3/I5).
 */
export class LiveReader {
  readonly cursors = new Map<string, number>();
  readonly eventIds = new Map<string, string[]>();
  readonly violations: string[] = [];
  readonly #url: string;
  readonly #token: string;
  readonly #repositories: readonly string[];
  #socket: WebSocket | undefined;
  #stopped = false;
  #pendingSyncs = new Set<string>();
  /** Repositories that completed a catch-up on the current connection: from then on a jump is a violation. */
  #synced = new Set<string>();
  #failed = new Set<string>();

  constructor(url: string, token: string, repositories: readonly string[]) {
    this.#url = url;
    this.#token = token;
    this.#repositories = repositories;
    for (const r of repositories) {
      this.cursors.set(r, 0);
      this.eventIds.set(r, []);
    }
  }

  start(): void {
    this.#connect();
  }

  /** Asks for everything after the cursors; resolves when every repository answered sync_complete. */
  async sync(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.#socket?.readyState === WebSocket.OPEN) {
        this.#failed.clear();
        this.#requestAll();
        const waitUntil = Date.now() + 5_000;
        while (this.#pendingSyncs.size > 0 && Date.now() < waitUntil)
          await new Promise((r) => setTimeout(r, 20));
        if (this.#pendingSyncs.size === 0 && this.#failed.size === 0) return true;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    return false;
  }

  stop(): void {
    this.#stopped = true;
    this.#socket?.terminate();
  }

  #requestAll(): void {
    for (const repository of this.#repositories) {
      this.#pendingSyncs.add(repository);
      this.#socket?.send(
        JSON.stringify({ type: 'request_events', repository, afterSequence: this.cursors.get(repository) }),
      );
    }
  }

  #connect(): void {
    if (this.#stopped) return;
    const socket = new WebSocket(this.#url);
    this.#socket = socket;
    this.#pendingSyncs.clear();
    this.#synced.clear();
    socket.on('open', () => socket.send(JSON.stringify({ type: 'auth', token: this.#token })));
    socket.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString()) as Record<string, unknown>;
      const repository = frame['repository'] as string;
      if (frame['type'] === 'auth_success') this.#requestAll();
      else if (frame['type'] === 'error' && typeof repository === 'string') {
        this.#pendingSyncs.delete(repository);
        this.#failed.add(repository);
      } else if (frame['type'] === 'sync_complete') {
        this.#pendingSyncs.delete(repository);
        this.#synced.add(repository);
      } else if (frame['type'] === 'events') {
        for (const event of frame['events'] as Array<Record<string, unknown>>) {
          const sequence = event['serverSequence'] as number;
          const cursor = this.cursors.get(repository) ?? 0;
          if (sequence <= cursor) continue;
          if (sequence !== cursor + 1) {
            // Before this connection's first catch-up a jump is expected (live events of a new connection);
            // the catch-up fills it. After it, the gateway owes this session every event in order.
            if (this.#synced.has(repository))
              this.violations.push(`${repository}: ${sequence} after ${cursor}`);
            break;
          }
          this.cursors.set(repository, sequence);
          this.eventIds.get(repository)?.push(event['_event_id'] as string);
        }
      }
    });
    socket.on('close', () => {
      if (this.#socket === socket && !this.#stopped)
        setTimeout(() => this.#connect(), 100 + Math.random() * 300);
    });
    socket.on('error', () => socket.terminate());
  }
}
