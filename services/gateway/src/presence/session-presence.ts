import { AppError, nestsDeeperThan } from '@lfsync/contracts';
import type { Clock } from '@lfsync/ports';
import type { Principal } from '../auth/token-verifier.ts';
import { RateLimiter } from '../ws/rate-limiter.ts';
import type { PresenceMembership } from '../ws/session-subscriptions.ts';
import type { PresenceHub } from './presence-hub.ts';
import type { PresenceWatcher } from './presence-room.ts';

export interface PresenceLimits {
  maxMembers: number;
  metaMaxBytes: number;
  updatesPerSec: number;
}

const MAX_META_DEPTH = 16;

/** One session's presence: where it is a member, with the limits on members, meta size and update rate. */
export class SessionPresence implements PresenceMembership {
  readonly #hub: PresenceHub;
  readonly #watcher: PresenceWatcher;
  readonly #limits: PresenceLimits;
  readonly #clock: Clock;
  // Both made on first use: most sessions never use presence, and every session pays for what it holds.
  #limiter: RateLimiter | undefined;
  #joined: Map<string, string> | undefined;

  constructor(hub: PresenceHub, watcher: PresenceWatcher, limits: PresenceLimits, clock: Clock) {
    this.#hub = hub;
    this.#watcher = watcher;
    this.#limits = limits;
    this.#clock = clock;
  }

  refusal(repository: string, meta: Record<string, unknown>): AppError | undefined {
    const tooLarge = this.#metaRefusal(meta);
    if (tooLarge !== undefined) return tooLarge;
    const { maxMembers } = this.#limits;
    const member = this.#hub.isMember(repository, this.#watcher.sessionId);
    if (!member && this.#hub.memberCount(repository) >= maxMembers)
      return new AppError('PRESENCE_LIMIT', `${repository} already has ${maxMembers} presence members`);
    return this.#rateRefusal();
  }

  join(repository: string, principal: Principal, meta: Record<string, unknown>): void {
    (this.#joined ??= new Map()).set(repository, principal.subject);
    this.#hub.set(
      repository,
      { sessionId: this.#watcher.sessionId, subject: principal.subject, meta },
      this.#watcher,
    );
  }

  update(repository: string, meta: Record<string, unknown>): AppError | undefined {
    const subject = this.#joined?.get(repository);
    if (subject === undefined)
      return new AppError(
        'INVALID_MESSAGE',
        `not a presence member of ${repository}: subscribe with presence first`,
      );
    const refusal = this.#metaRefusal(meta) ?? this.#rateRefusal();
    if (refusal !== undefined) return refusal;
    this.#hub.set(repository, { sessionId: this.#watcher.sessionId, subject, meta }, this.#watcher);
    return undefined;
  }

  leave(repository: string): void {
    if (this.#joined?.delete(repository) !== true) return;
    this.#hub.leave(repository, this.#watcher.sessionId);
  }

  leaveAll(): void {
    for (const repository of [...(this.#joined?.keys() ?? [])]) this.leave(repository);
  }

  #metaRefusal(meta: Record<string, unknown>): AppError | undefined {
    if (nestsDeeperThan(meta, MAX_META_DEPTH))
      return new AppError('INVALID_MESSAGE', `presence meta nests deeper than ${MAX_META_DEPTH} levels`);
    const bytes = Buffer.byteLength(JSON.stringify(meta));
    if (bytes <= this.#limits.metaMaxBytes) return undefined;
    return new AppError(
      'PAYLOAD_TOO_LARGE',
      `presence meta is larger than ${this.#limits.metaMaxBytes} bytes`,
    );
  }

  #rateRefusal(): AppError | undefined {
    const { updatesPerSec } = this.#limits;
    this.#limiter ??= new RateLimiter(updatesPerSec, updatesPerSec, this.#clock);
    const retryAfterMs = this.#limiter.take();
    if (retryAfterMs === 0) return undefined;
    return new AppError('PRESENCE_LIMIT', 'presence updates too fast', { retryAfterMs });
  }
}
