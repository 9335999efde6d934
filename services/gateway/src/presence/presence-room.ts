import type { PresenceMember } from '@lfsync/contracts';

/** A local session watching a repository's presence. */
export interface PresenceWatcher {
  readonly sessionId: string;
  send(frame: string): void;
}

interface LocalMember {
  member: PresenceMember;
  watcher: PresenceWatcher;
  /** False until the snapshot was sent: diffs before it are folded into the snapshot. */
  synced: boolean;
}

const presenceFrame = (repository: string, members: readonly PresenceMember[]) =>
  JSON.stringify({ type: 'presence', repository, members });

const presenceDiffFrame = (repository: string, joins: readonly PresenceMember[], leaves: readonly string[]) =>
  JSON.stringify({ type: 'presence_diff', repository, joins, leaves });

/**
 * Who is online in one repository, as this gateway knows it: its own members, and those other gateways
 * announced (by gateway, so a gateway's members can be replaced by its `state` or expired together).
 */
export class PresenceRoom {
  readonly repository: string;
  readonly #local = new Map<string, LocalMember>();
  readonly #remote = new Map<string, Map<string, PresenceMember>>();

  constructor(repository: string) {
    this.repository = repository;
  }

  get size(): number {
    let size = this.#local.size;
    for (const members of this.#remote.values()) size += members.size;
    return size;
  }

  get localCount(): number {
    return this.#local.size;
  }

  localMembers(): PresenceMember[] {
    return [...this.#local.values()].map((l) => l.member);
  }

  hasLocal(sessionId: string): boolean {
    return this.#local.has(sessionId);
  }

  remoteGateways(): string[] {
    return [...this.#remote.keys()];
  }

  /** A local session joins or changes its meta; the other synced watchers are told. */
  setLocal(member: PresenceMember, watcher: PresenceWatcher): void {
    const known = this.#local.get(member.sessionId);
    this.#local.set(member.sessionId, { member, watcher, synced: known?.synced ?? false });
    this.#tell([member], [], member.sessionId);
  }

  removeLocal(sessionId: string): boolean {
    if (!this.#local.delete(sessionId)) return false;
    this.#tell([], [sessionId], sessionId);
    return true;
  }

  /** Sends the snapshot to local watchers that have none yet. */
  sync(): void {
    const members = [...this.#everyone()];
    for (const local of this.#local.values()) {
      if (local.synced) continue;
      local.synced = true;
      local.watcher.send(presenceFrame(this.repository, members));
    }
  }

  setRemote(gatewayId: string, member: PresenceMember): void {
    let members = this.#remote.get(gatewayId);
    if (members === undefined) this.#remote.set(gatewayId, (members = new Map<string, PresenceMember>()));
    members.set(member.sessionId, member);
    this.#tell([member], []);
  }

  removeRemote(gatewayId: string, sessionId: string): void {
    const members = this.#remote.get(gatewayId);
    if (members?.delete(sessionId) !== true) return;
    if (members.size === 0) this.#remote.delete(gatewayId);
    this.#tell([], [sessionId]);
  }

  /** What a gateway says it has now replaces what was known of it. */
  replaceRemote(gatewayId: string, state: readonly PresenceMember[]): void {
    const before = this.#remote.get(gatewayId) ?? new Map<string, PresenceMember>();
    const after = new Map<string, PresenceMember>(state.map((m) => [m.sessionId, m]));
    const joins = state.filter((m) => JSON.stringify(before.get(m.sessionId)) !== JSON.stringify(m));
    const leaves = [...before.keys()].filter((id) => !after.has(id));
    if (after.size === 0) this.#remote.delete(gatewayId);
    else this.#remote.set(gatewayId, after);
    this.#tell(joins, leaves);
  }

  #tell(joins: readonly PresenceMember[], leaves: readonly string[], except?: string): void {
    if (joins.length === 0 && leaves.length === 0) return;
    const frame = presenceDiffFrame(this.repository, joins, leaves);
    for (const [sessionId, local] of this.#local)
      if (local.synced && sessionId !== except) local.watcher.send(frame);
  }

  *#everyone(): Generator<PresenceMember> {
    for (const local of this.#local.values()) yield local.member;
    for (const members of this.#remote.values()) yield* members.values();
  }
}
