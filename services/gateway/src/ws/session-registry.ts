import type { SequencedBatch } from '@lfsync/contracts';
import { batchEventsFrame } from './frames.ts';
import type { Session } from './session.ts';

/** The authenticated sessions of this gateway; fans each commit out to those that may read it. */
export class SessionRegistry {
  readonly #sessions = new Set<Session>();

  get size(): number {
    return this.#sessions.size;
  }

  set(session: Session, authenticated: boolean): void {
    if (authenticated) this.#sessions.add(session);
    else this.#sessions.delete(session);
  }

  /** Serialises the batch once and hands the same frame to every session. */
  broadcast(batch: SequencedBatch): number {
    if (this.#sessions.size === 0) return 0;
    const frame = batchEventsFrame(batch);
    let sent = 0;
    for (const session of this.#sessions) {
      if (session.mayRead(batch.repository)) {
        session.deliver(batch, frame);
        sent += 1;
      }
    }
    return sent;
  }
}
