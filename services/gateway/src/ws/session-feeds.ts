import { AppError, type SequencedBatch } from '@lfsync/contracts';
import type { EventReader } from '@lfsync/ports';
import type { Logger } from 'pino';
import { reportFailure } from '../report-failure.ts';
import { syncCompleteFrame, type Frame } from './frames.ts';
import { RepositoryFeed } from './repository-feed.ts';
import type { SessionSocket } from './session-socket.ts';

export interface FeedsOptions {
  socket: SessionSocket;
  store: EventReader;
  catchUpPageSize: number;
  logger: Logger;
  /** The session itself, rather than two closures over it per session. */
  access: FeedAccess;
}

interface FeedAccess {
  /** Whether the session may currently read the repository. */
  mayRead(repository: string): boolean;
  /** Whether the session receives the repository's live events (implicitly, or by a subscription). */
  receives(repository: string): boolean;
}

/** What a session receives: one feed per repository, for live batches and catch-up requests alike. */
export class SessionFeeds {
  readonly #options: FeedsOptions;
  readonly #feeds = new Map<string, RepositoryFeed>();

  constructor(options: FeedsOptions) {
    this.#options = options;
  }

  /** A committed batch the session may read; `frame` is shared by every session. */
  live(batch: SequencedBatch, frame: Frame): void {
    this.#feed(batch.repository)
      .live(batch, frame)
      ?.catch((err: unknown) => this.#lostTrack(err, 'gap fill', batch.repository));
  }

  /** After the gateway lost its bus connection: send what was committed meanwhile. */
  refresh(): void {
    for (const [repository, feed] of this.#feeds)
      feed.refresh().catch((err: unknown) => this.#lostTrack(err, 'refresh', repository));
  }

  /** Forgets the feeds of repositories the session may no longer read or no longer receives. */
  prune(): void {
    for (const repository of this.#feeds.keys())
      if (!this.#options.access.mayRead(repository) || !this.#options.access.receives(repository))
        this.#feeds.delete(repository);
  }

  /** How many repositories the session holds a position in. */
  get size(): number {
    return this.#feeds.size;
  }

  clear(): void {
    this.#feeds.clear();
  }

  async requestEvents(
    repository: string,
    afterSequence: number,
    pageSize: number | undefined,
  ): Promise<void> {
    await this.#answerCatchUp(repository, (feed) => feed.catchUp(afterSequence, pageSize));
  }

  /** Runs a catch-up of a repository the session may read and ends it with `sync_complete`. */
  async #answerCatchUp(repository: string, run: (feed: RepositoryFeed) => Promise<number>): Promise<void> {
    const { socket } = this.#options;
    if (!this.#options.access.mayRead(repository))
      return socket.sendError(new AppError('FORBIDDEN', `no read access to ${repository}`), { repository });
    let lastSequence: number;
    try {
      lastSequence = await run(this.#feed(repository));
    } catch (err) {
      const error = reportFailure(this.#options.logger, err, 'catch-up', { repository });
      return socket.sendError(error, { repository });
    }
    socket.send(syncCompleteFrame(repository, lastSequence));
  }

  /** `request_snapshot`: the state at the head, then the log after it, then `sync_complete`. */
  async requestSnapshot(
    repository: string,
    pageSize: number | undefined,
    minRatio: number | undefined,
  ): Promise<void> {
    await this.#answerCatchUp(repository, (feed) => feed.snapshot(pageSize, minRatio));
  }

  async requestAllEvents(repository: string | undefined, pageSize: number | undefined): Promise<void> {
    if (repository !== undefined) return this.requestEvents(repository, 0, pageSize);
    const { socket, store } = this.#options;
    try {
      const repositories = (await store.repositories()).filter((r) => this.#options.access.mayRead(r));
      for (const name of repositories) await this.#feed(name).catchUp(0, pageSize);
    } catch (err) {
      return socket.sendError(reportFailure(this.#options.logger, err, 'catch-up'));
    }
    socket.send(syncCompleteFrame(undefined, undefined));
  }

  /** Missed events could not be read: the client reconnects and catches up. */
  #lostTrack(err: unknown, context: string, repository: string): void {
    const cause = reportFailure(this.#options.logger, err, context, { repository });
    const message = 'could not deliver missed events; reconnect and catch up';
    this.#options.socket.closeWithError(new AppError('UNAVAILABLE', message, { cause }));
  }

  /**
   * The repository's feed. A catch-up of a repository the session does not receive live gets a feed of its
   * own that is not kept: state exists only for what the session receives.
   */
  #feed(repository: string): RepositoryFeed {
    let feed = this.#feeds.get(repository);
    if (feed === undefined) {
      const { socket, store, catchUpPageSize } = this.#options;
      // The socket is the feed's output: one object for all of the session's feeds, no closures per feed.
      feed = new RepositoryFeed(repository, store, socket, catchUpPageSize);
      if (this.#options.access.receives(repository)) this.#feeds.set(repository, feed);
    }
    return feed;
  }
}
