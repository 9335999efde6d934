import type { GroupStats, Member } from './group-stats.ts';
import { LfsSession, type ReceivedEvent } from './lfs-session.ts';
import { nowUs, type Endpoint } from './messages.ts';
import { count } from './util.ts';

/**
 * A session following one repository the way an SDK does: live events, and after every (re)connect a
 * catch-up from its cursor. Once caught up on a connection, a sequence jump is a gap and a repeat a duplicate
 * (the gateway owes each session every event once, in order — I5).
 */
export class LfsSubscriber implements Member {
  cursor = 0;
  gaps = 0;
  duplicates = 0;
  caughtUp = 0;
  readonly #token: string;
  readonly #topic: string;
  readonly #stats: GroupStats;
  readonly #idle: boolean;
  #session: LfsSession | undefined;
  #synced = false;
  #catchingUp = false;
  #syncWaiter: (() => void) | undefined;

  constructor(token: string, topic: string, stats: GroupStats, idle: boolean) {
    this.#token = token;
    this.#topic = topic;
    this.#stats = stats;
    this.#idle = idle;
  }

  get isOpen(): boolean {
    return this.#session?.isOpen ?? false;
  }

  async start(endpoint: Endpoint): Promise<number> {
    this.#synced = false;
    // A socket that closes while connecting calls onClose before `connect` resolved.
    let session: LfsSession | undefined = undefined;
    session = await LfsSession.connect(endpoint, this.#token, {
      onEvents: this.#idle ? undefined : (_repository, events) => this.#onEvents(events),
      onSyncComplete: () => {
        this.#synced = true;
        this.#catchingUp = false;
        this.#syncWaiter?.();
      },
      onClose: (code) => {
        if (session !== undefined && this.#session === session) count(this.#stats.closeCodes, String(code));
      },
    });
    const authenticatedAt = nowUs();
    this.#session = session;
    if (this.#idle) return authenticatedAt;
    let timer: NodeJS.Timeout | undefined;
    const synced = new Promise<void>((resolve, reject) => {
      this.#syncWaiter = resolve;
      timer = setTimeout(() => reject(new Error('no sync_complete within 60 s')), 60_000);
    });
    this.#catchingUp = true;
    session.requestEvents(this.#topic, this.cursor);
    try {
      await synced;
    } catch (err) {
      // Give up on this connection entirely, or it would keep feeding events next to the retry's.
      if (this.#session === session) this.#session = undefined;
      session.terminate();
      throw err;
    } finally {
      clearTimeout(timer);
    }
    return authenticatedAt;
  }

  drop(): void {
    const session = this.#session;
    this.#session = undefined;
    this.#synced = false;
    session?.terminate();
  }

  close(): void {
    const session = this.#session;
    this.#session = undefined;
    session?.terminate();
  }

  #onEvents(events: readonly ReceivedEvent[]): void {
    const now = nowUs();
    for (const event of events) {
      const sequence = event.serverSequence;
      if (sequence <= this.cursor) {
        if (this.#synced) this.duplicates += 1;
        continue;
      }
      if (sequence !== this.cursor + 1) {
        // Before this connection's catch-up completed, a jump is expected (live events overtaking it).
        if (!this.#synced) break;
        this.gaps += 1;
      }
      this.cursor = sequence;
      if (this.#catchingUp) this.caughtUp += 1;
      this.#stats.delivered(now, event._data?.t);
    }
  }
}
