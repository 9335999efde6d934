import type { ServerEvent, SnapshotCompleteMessage, SnapshotMessage } from '@lfsync/contracts';

/**
 * The pages of the snapshots being received, per repository, until their `snapshot_complete`: a snapshot is
 * applied whole, as one stored change, so a client stopped halfway keeps no part of it.
 */
export class SnapshotIntake {
  readonly #pages = new Map<string, { sequence: number; events: ServerEvent[] }>();

  page(message: SnapshotMessage): void {
    const held = this.#pages.get(message.repository);
    if (held === undefined || held.sequence !== message.sequence) {
      this.#pages.set(message.repository, { sequence: message.sequence, events: [...message.events] });
    } else {
      held.events.push(...message.events);
    }
  }

  /** The whole snapshot, or undefined when pages are missing (the caller asks again). */
  complete(message: SnapshotCompleteMessage): ServerEvent[] | undefined {
    const held = this.#pages.get(message.repository);
    this.#pages.delete(message.repository);
    const events = held?.sequence === message.sequence ? held.events : [];
    return events.length === message.count ? events : undefined;
  }
}
