import type { SequencedBatch } from '@lfsync/contracts';
import { eventsFrame, eventsJsonOf } from './frames.ts';
import type { Session } from './session.ts';

/** A committed batch with its events' JSON (serialised once, shared with the recent-events window). */
export interface Commit {
  batch: SequencedBatch;
  eventsJson: readonly string[];
}

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
  #pending = new Map<string, Commit[]>();
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

  broadcast(batch: SequencedBatch, eventsJson: readonly string[] = eventsJsonOf(batch)): void {
    if (this.#sessions.size === 0) return;
    const queued = this.#pending.get(batch.repository);
    if (queued === undefined) this.#pending.set(batch.repository, [{ batch, eventsJson }]);
    else queued.push({ batch, eventsJson });
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
    for (const commits of pending.values()) {
      for (const { batch, eventsJson } of mergeContiguous(commits)) {
        const frame = Buffer.from(eventsFrame(batch.repository, eventsJson));
        for (const session of this.#sessions) if (session.deliver(batch, frame)) frames += 1;
      }
    }
    this.#onFrames(frames);
  }
}

/** Joins commits of one repository that follow each other (`from = previous to + 1`) into one. */
export function mergeContiguous(commits: readonly Commit[]): Commit[] {
  const merged: Commit[] = [];
  for (const commit of commits) {
    const last = merged.at(-1);
    const { batch } = commit;
    if (
      last !== undefined &&
      batch.fromSequence === last.batch.toSequence + 1 &&
      last.batch.events.length + batch.events.length <= MAX_MERGED_EVENTS
    ) {
      merged[merged.length - 1] = {
        batch: {
          repository: last.batch.repository,
          fromSequence: last.batch.fromSequence,
          toSequence: batch.toSequence,
          events: [...last.batch.events, ...batch.events],
        },
        eventsJson: [...last.eventsJson, ...commit.eventsJson],
      };
    } else {
      merged.push(commit);
    }
  }
  return merged;
}
