import type { PresenceBusMessage, PresenceMember } from '@lfsync/contracts';
import type { Cancel, Clock, PresenceBus } from '@lfsync/ports';
import type { Logger } from 'pino';
import { PresenceRoom, type PresenceWatcher } from './presence-room.ts';

export interface PresenceTiming {
  /** How often this gateway says it is alive. */
  heartbeatMs: number;
  /** Members of a gateway not heard from for this long are gone. */
  timeoutMs: number;
  /** How long a new listener waits for the other gateways' members before sending its snapshot. */
  queryWaitMs: number;
}

interface Room {
  room: PresenceRoom;
  cancelBus(): void;
  ready: boolean;
}

/**
 * This gateway's share of presence: a room per repository that local sessions joined, kept in step with
 * the other gateways over the presence bus. A repository nobody here joined costs nothing; a gateway that
 * stops beating loses its members everywhere within `timeoutMs` (plus one sweep).
 */
export class PresenceHub {
  readonly gatewayId: string;
  readonly #bus: PresenceBus;
  readonly #clock: Clock;
  readonly #timing: PresenceTiming;
  readonly #logger: Logger;
  readonly #rooms = new Map<string, Room>();
  /** Gateway → when it was last heard from. */
  readonly #lastSeen = new Map<string, number>();
  #cancelTimer: Cancel = () => undefined;
  #cancelHeartbeats: () => void = () => undefined;

  constructor(gatewayId: string, bus: PresenceBus, clock: Clock, timing: PresenceTiming, logger: Logger) {
    this.gatewayId = gatewayId;
    this.#bus = bus;
    this.#clock = clock;
    this.#timing = timing;
    this.#logger = logger;
  }

  start(): void {
    this.#cancelHeartbeats = this.#bus.subscribeHeartbeats(({ gatewayId }) => this.#heard(gatewayId));
    const tick = () => {
      this.#bus.publishHeartbeat({ gatewayId: this.gatewayId });
      this.#expire();
      this.#cancelTimer = this.#clock.schedule(this.#timing.heartbeatMs, tick);
    };
    tick();
  }

  stop(): void {
    this.#cancelTimer();
    this.#cancelHeartbeats();
    for (const entry of this.#rooms.values()) entry.cancelBus();
    this.#rooms.clear();
  }

  /** Members this gateway knows in `repository` (0 when nobody here joined it). */
  memberCount(repository: string): number {
    return this.#rooms.get(repository)?.room.size ?? 0;
  }

  /** Per repository with members of this gateway, how many (the other gateways report their own). */
  localMemberCounts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const [repository, { room }] of this.#rooms)
      if (room.localCount > 0) counts.set(repository, room.localCount);
    return counts;
  }

  isMember(repository: string, sessionId: string): boolean {
    return this.#rooms.get(repository)?.room.hasLocal(sessionId) === true;
  }

  /** A local session joins (or changes its meta); it gets a snapshot once the room is in step. */
  set(repository: string, member: PresenceMember, watcher: PresenceWatcher): void {
    const entry = this.#rooms.get(repository) ?? this.#open(repository);
    entry.room.setLocal(member, watcher);
    this.#bus.publish(repository, { kind: 'join', gatewayId: this.gatewayId, member });
    if (entry.ready) entry.room.sync();
  }

  leave(repository: string, sessionId: string): void {
    const entry = this.#rooms.get(repository);
    if (entry === undefined || !entry.room.removeLocal(sessionId)) return;
    this.#bus.publish(repository, { kind: 'leave', gatewayId: this.gatewayId, sessionId });
    if (entry.room.localCount > 0) return;
    entry.cancelBus();
    this.#rooms.delete(repository);
  }

  /** After a bus reconnect (messages may be lost): ask every room's members again. */
  resync(): void {
    for (const [repository, entry] of this.#rooms) {
      this.#bus.publish(repository, {
        kind: 'state',
        gatewayId: this.gatewayId,
        members: entry.room.localMembers(),
      });
      this.#bus.publish(repository, { kind: 'query', gatewayId: this.gatewayId });
    }
  }

  #open(repository: string): Room {
    const room = new PresenceRoom(repository);
    const entry: Room = {
      room,
      ready: false,
      cancelBus: this.#bus.subscribe(repository, (message) => this.#onMessage(room, message)),
    };
    this.#rooms.set(repository, entry);
    this.#bus.publish(repository, { kind: 'query', gatewayId: this.gatewayId });
    this.#clock.schedule(this.#timing.queryWaitMs, () => {
      entry.ready = true;
      room.sync();
    });
    return entry;
  }

  #onMessage(room: PresenceRoom, message: PresenceBusMessage): void {
    if (message.gatewayId === this.gatewayId) return;
    this.#heard(message.gatewayId);
    switch (message.kind) {
      case 'join':
        return room.setRemote(message.gatewayId, message.member);
      case 'leave':
        return room.removeRemote(message.gatewayId, message.sessionId);
      case 'state':
        return room.replaceRemote(message.gatewayId, message.members);
      case 'query':
        if (room.localCount > 0)
          this.#bus.publish(room.repository, {
            kind: 'state',
            gatewayId: this.gatewayId,
            members: room.localMembers(),
          });
        return;
    }
  }

  #heard(gatewayId: string): void {
    if (gatewayId !== this.gatewayId) this.#lastSeen.set(gatewayId, this.#clock.now());
  }

  #expire(): void {
    const cutoff = this.#clock.now() - this.#timing.timeoutMs;
    for (const [gatewayId, seen] of this.#lastSeen) {
      if (seen >= cutoff) continue;
      this.#lastSeen.delete(gatewayId);
      this.#logger.info({ gatewayId }, 'gateway silent: its presence members expire');
      for (const { room } of this.#rooms.values()) room.replaceRemote(gatewayId, []);
    }
  }
}
