import { AppError, claimAllows } from '@lfsync/contracts';
import type { Logger } from 'pino';
import type { Principal } from '../auth/token-verifier.ts';
import type { GatewayMetrics } from '../metrics.ts';
import type { PushService } from '../sync/push-service.ts';
import { eventIdsOf } from './event-ids.ts';
import { ackFrame } from './frames.ts';
import type { SessionSocket } from './session-socket.ts';

/** A session's pushes: write permission, its bound on unacknowledged events, acks and rejections. */
export class SessionPush {
  readonly #socket: SessionSocket;
  readonly #push: PushService;
  readonly #maxPendingAcks: number;
  readonly #metrics: GatewayMetrics;
  readonly #logger: Logger;
  #pendingAcks = 0;

  constructor(options: {
    socket: SessionSocket;
    push: PushService;
    maxPendingAcks: number;
    metrics: GatewayMetrics;
    logger: Logger;
  }) {
    this.#socket = options.socket;
    this.#push = options.push;
    this.#maxPendingAcks = options.maxPendingAcks;
    this.#metrics = options.metrics;
    this.#logger = options.logger;
  }

  /** `texts`: each event as the client wrote it, when known (see PushService.push). */
  async push(
    principal: Principal,
    repository: string,
    events: readonly unknown[],
    texts?: readonly string[],
  ): Promise<void> {
    if (!claimAllows(principal.claim.write, repository)) {
      const error = new AppError('FORBIDDEN', `no write access to ${repository}`);
      return this.#socket.sendError(error, { eventIds: eventIdsOf({ events }), repository });
    }
    if (this.#pendingAcks + events.length > this.#maxPendingAcks) {
      const error = new AppError('TOO_MANY_PENDING', 'too many unacknowledged events; wait for acks');
      return this.#socket.sendError(error, { eventIds: eventIdsOf({ events }), repository });
    }
    this.#pendingAcks += events.length;
    const release = this.#socket.holdForAck();
    try {
      await this.#pushCounted(repository, events, texts);
    } finally {
      release();
      this.#pendingAcks -= events.length;
    }
  }

  async #pushCounted(
    repository: string,
    events: readonly unknown[],
    texts: readonly string[] | undefined,
  ): Promise<void> {
    const stopTimer = this.#metrics.pushAckLatency.startTimer();
    this.#metrics.pushedEvents.inc({ transport: 'ws' }, events.length);
    const outcome = await this.#push.push(repository, events, texts);
    if (outcome.acked.length > 0) {
      if (this.#logger.isLevelEnabled('debug'))
        this.#logger.debug({ repository, eventIds: outcome.acked.map((r) => r.eventId) }, 'push acked');
      this.#socket.sendAck(ackFrame(repository, outcome.acked));
      this.#metrics.ackedEvents.inc({ transport: 'ws' }, outcome.acked.length);
      stopTimer();
    }
    for (const { code, message, eventIds, retryAfterMs } of outcome.rejected) {
      const error = new AppError(code, message, { retryAfterMs });
      this.#socket.sendError(error, { eventIds, repository });
    }
  }
}
