import type { SequenceReply, SequenceRequest } from '@lfsync/contracts';
import { systemClock, type Clock, type EventIndex, type SequenceLog } from '@lfsync/ports';
import { RepositorySequencer } from './repository-sequencer.ts';

const MAX_CACHED_REPOSITORIES = 10_000;

/** Routes each request to its repository's sequencer; keeps a bounded number of them (and their heads). */
export class SequencerService {
  readonly #log: SequenceLog;
  readonly #index: EventIndex;
  readonly #maxAppendBytes: number;
  readonly #onAppend: (events: number, conflicts: number) => void;
  readonly #clock: Clock;
  readonly #repositories = new Map<string, RepositorySequencer>();

  constructor(options: {
    log: SequenceLog;
    index: EventIndex;
    maxAppendBytes: number;
    onAppend?: (events: number, conflicts: number) => void;
    clock?: Clock;
  }) {
    this.#log = options.log;
    this.#index = options.index;
    this.#maxAppendBytes = options.maxAppendBytes;
    this.#onAppend = options.onAppend ?? (() => {});
    this.#clock = options.clock ?? systemClock;
  }

  /** Events waiting for their repository's sequencer, all repositories together. */
  get queuedEvents(): number {
    let queued = 0;
    for (const sequencer of this.#repositories.values()) queued += sequencer.queuedEvents;
    return queued;
  }

  async handle(request: SequenceRequest, bytes: number): Promise<SequenceReply> {
    const results = await this.#sequencerFor(request.repository).sequence(request.events, bytes);
    return { ok: true, results };
  }

  #sequencerFor(repository: string): RepositorySequencer {
    let sequencer = this.#repositories.get(repository);
    if (sequencer === undefined) {
      if (this.#repositories.size >= MAX_CACHED_REPOSITORIES) this.#evictIdle();
      sequencer = new RepositorySequencer({
        repository,
        log: this.#log,
        index: this.#index,
        maxAppendBytes: this.#maxAppendBytes,
        onAppend: this.#onAppend,
        clock: this.#clock,
      });
      this.#repositories.set(repository, sequencer);
    }
    return sequencer;
  }

  #evictIdle(): void {
    for (const [repository, sequencer] of this.#repositories) {
      if (sequencer.idle) this.#repositories.delete(repository);
      if (this.#repositories.size < MAX_CACHED_REPOSITORIES / 2) return;
    }
  }
}
