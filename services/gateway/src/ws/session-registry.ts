import type { SequencedBatch } from '@lfsync/contracts';
import { batchEventsFrame } from './frames.ts';
import type { Session } from './session.ts';

/** Commits merged into one frame at most; larger runs are split. */
const MAX_MERGED_EVENTS = 1_000;

/**
 * The authenticated sessions of this gateway; fans each commit out to those that may read it. Commits
 * that arrive together (one read from the bus) are merged per repository and serialised once, so a busy
 * repository costs each session one frame per read, not one per commit.
 */
export class SessionRegistry {
  readonly #sessions = new Set<Session>();
  readonly #onFrames: (frames: number) => void;
  #pending = new Map<string, SequencedBatch[]>();
  #flushScheduled = false;

  constructor(onFrames: (frames: number) => void = () => {}) {
    this.#onFrames = onFrames;
  }

  get size(): number {
    return this.#sessions.size;
  }

  set(session: Session, authenticated: boolean): void {
    if (authenticated) this.#sessions.add(session);
    else this.#sessions.delete(session);
  }

  broadcast(batch: SequencedBatch): void {
    if (this.#sessions.size === 0) return;
    const queued = this.#pending.get(batch.repository);
    if (queued === undefined) this.#pending.set(batch.repository, [batch]);
    else queued.push(batch);
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      // A microtask runs once the bus client has dispatched everything it read, before any timer or I/O.
      queueMicrotask(() => this.#flush());
    }
  }

  #flush(): void {
    const pending = this.#pending;
    this.#pending = new Map();
    this.#flushScheduled = false;
    let frames = 0;
    for (const batches of pending.values()) {
      for (const merged of mergeContiguous(batches)) {
        const frame = Buffer.from(batchEventsFrame(merged));
        for (const session of this.#sessions) {
          if (session.mayRead(merged.repository)) {
            session.deliver(merged, frame);
            frames += 1;
          }
        }
      }
    }
    this.#onFrames(frames);
  }
}

/** Joins batches of one repository that follow each other (`from = previous to + 1`) into one. */
export function mergeContiguous(batches: readonly SequencedBatch[]): SequencedBatch[] {
  const merged: SequencedBatch[] = [];
  for (const batch of batches) {
    const last = merged.at(-1);
    if (
      last !== undefined &&
      batch.fromSequence === last.toSequence + 1 &&
      last.events.length + batch.events.length <= MAX_MERGED_EVENTS
    ) {
      merged[merged.length - 1] = {
        repository: last.repository,
        fromSequence: last.fromSequence,
        toSequence: batch.toSequence,
        events: [...last.events, ...batch.events],
      };
    } else {
      merged.push(batch);
    }
  }
  return merged;
}
