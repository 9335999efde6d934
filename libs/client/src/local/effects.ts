import type { ChangeSet } from '../storage/change-set.ts';
import type { ConflictReport } from './conflict.ts';

/** What one store operation did, gathered so that it is persisted once and announced once. */
export class Effects {
  readonly changes: ChangeSet;
  readonly changedRecords = new Map<string, Set<string>>();
  readonly conflicts: ConflictReport[] = [];
  readonly unidentified: { readonly repository: string; readonly eventId: string }[] = [];
  pendingChanged = false;

  constructor(changes: ChangeSet) {
    this.changes = changes;
  }

  recordChanged(repository: string, id: string): void {
    let ids = this.changedRecords.get(repository);
    if (ids === undefined) {
      ids = new Set();
      this.changedRecords.set(repository, ids);
    }
    ids.add(id);
  }
}
