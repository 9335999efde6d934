import type { PresenceMember } from '@lfsync/contracts';

interface Watcher {
  readonly sessionId: string;
  send(frame: object): void;
}

/** Presence as the gateway keeps it, on one fake server: per repository, one member per session. */
export class FakePresence {
  readonly #rooms = new Map<string, Map<string, { member: PresenceMember; watcher: Watcher }>>();

  members(repository: string): PresenceMember[] {
    return [...(this.#rooms.get(repository)?.values() ?? [])].map((entry) => entry.member);
  }

  /** Joins (the joiner gets the snapshot) or changes the meta (the others get a diff). */
  set(repository: string, member: PresenceMember, watcher: Watcher): void {
    const room =
      this.#rooms.get(repository) ?? new Map<string, { member: PresenceMember; watcher: Watcher }>();
    this.#rooms.set(repository, room);
    const known = room.has(member.sessionId);
    room.set(member.sessionId, { member, watcher });
    if (!known) watcher.send({ type: 'presence', repository, members: this.members(repository) });
    this.#tell(repository, member.sessionId, [member], []);
  }

  isMember(repository: string, sessionId: string): boolean {
    return this.#rooms.get(repository)?.has(sessionId) === true;
  }

  leave(repository: string, sessionId: string): void {
    if (this.#rooms.get(repository)?.delete(sessionId) !== true) return;
    this.#tell(repository, sessionId, [], [sessionId]);
  }

  leaveAll(sessionId: string): void {
    for (const repository of this.#rooms.keys()) this.leave(repository, sessionId);
  }

  #tell(repository: string, from: string, joins: PresenceMember[], leaves: string[]): void {
    for (const { watcher } of this.#rooms.get(repository)?.values() ?? []) {
      if (watcher.sessionId !== from) watcher.send({ type: 'presence_diff', repository, joins, leaves });
    }
  }
}
