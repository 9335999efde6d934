import { CentrifugoSession, type Publication } from './centrifugo-session.ts';
import type { GroupStats, Member } from './group-stats.ts';
import { nowUs, type Endpoint } from './messages.ts';
import { count } from './util.ts';

/**
 * A Centrifugo subscriber. There is no cursor protocol and the publisher posts concurrently (so publications
 * may arrive in any order); receipt is tracked per publisher `seq` in a bitmap: a seq seen twice is a
 * duplicate, and `cursor` is the highest seq below which nothing is missing.
 */
export class CentrifugoSubscriber implements Member {
  cursor = 0;
  duplicates = 0;
  readonly caughtUp = 0;
  readonly #token: string;
  readonly #topic: string;
  readonly #stats: GroupStats;
  readonly #idle: boolean;
  #session: CentrifugoSession | undefined;
  #received = new Uint8Array(1024);
  #highest = 0;

  constructor(token: string, topic: string, stats: GroupStats, idle: boolean) {
    this.#token = token;
    this.#topic = topic;
    this.#stats = stats;
    this.#idle = idle;
  }

  get isOpen(): boolean {
    return this.#session !== undefined;
  }

  /** Seqs below the highest one received that never arrived. */
  get gaps(): number {
    let missing = 0;
    for (let seq = this.cursor + 1; seq < this.#highest; seq++) if (this.#received[seq] !== 1) missing += 1;
    return missing;
  }

  async start(endpoint: Endpoint): Promise<number> {
    const session = await CentrifugoSession.connect(endpoint, this.#token);
    const authenticatedAt = nowUs();
    session.onPublication = (_channel, data) => this.#onPublication(data);
    session.onClose = (code) => {
      if (this.#session === session) {
        count(this.#stats.closeCodes, String(code));
        this.#session = undefined;
      }
    };
    this.#session = session;
    if (!this.#idle) await session.subscribe(this.#topic);
    return authenticatedAt;
  }

  drop(): void {
    this.close();
  }

  close(): void {
    const session = this.#session;
    this.#session = undefined;
    session?.terminate();
  }

  #onPublication(data: Publication): void {
    const seq = data.seq;
    if (seq !== undefined && seq > 0) {
      if (seq >= this.#received.length) {
        const grown = new Uint8Array(Math.max(seq + 1, this.#received.length * 2));
        grown.set(this.#received);
        this.#received = grown;
      }
      if (this.#received[seq] === 1) this.duplicates += 1;
      this.#received[seq] = 1;
      this.#highest = Math.max(this.#highest, seq);
      while (this.#received[this.cursor + 1] === 1) this.cursor += 1;
    }
    this.#stats.delivered(nowUs(), data.t);
  }
}
