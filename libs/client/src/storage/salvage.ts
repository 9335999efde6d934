import { z } from 'zod';
import type { PendingEntry } from '../local/local-event.ts';
import { pendingEntrySchema, storedRecordSchema } from './stored-state-schema.ts';
import type { StorageRepair, StoredRecord, StoredState } from './sync-storage.ts';

const cursorRowSchema = z.object({ repository: z.string(), cursor: z.number().int().nonnegative() });

/** Rows as read from a store that may hold anything: an older or foreign format, a partial write. */
export interface RawRows {
  readonly records: readonly unknown[];
  readonly cursors: readonly unknown[];
  readonly pending: readonly unknown[];
}

/**
 * Keeps every readable row. A repository that lost an unreadable record (or whose cursor row is unreadable)
 * starts over from cursor 0, so that catch-up brings the lost records back from the server; its readable
 * records stay until then. Unreadable pending entries are lost — nothing else can be done with them — and
 * counted. `repair` is set only when something was dropped.
 */
export function salvageRows(rows: RawRows, reason = 'unreadable rows'): StoredState {
  const records: StoredRecord[] = [];
  const lostIn = new Set<string>();
  let droppedRecords = 0;
  let lostUnnamed = false;
  for (const row of rows.records) {
    const parsed = storedRecordSchema.safeParse(row);
    if (parsed.success) records.push(parsed.data);
    else {
      droppedRecords++;
      const repository = (row as { repository?: unknown } | null)?.repository;
      if (typeof repository === 'string') lostIn.add(repository);
      else lostUnnamed = true;
    }
  }
  const cursors: Record<string, number> = {};
  let droppedCursors = 0;
  for (const row of rows.cursors) {
    const parsed = cursorRowSchema.safeParse(row);
    if (parsed.success) cursors[parsed.data.repository] = parsed.data.cursor;
    else droppedCursors++;
  }
  // A record lost in a repository we cannot name: every repository starts over.
  const resetAll = droppedCursors > 0 || lostUnnamed;
  const resetCursors = resetAll ? Object.keys(cursors) : [...lostIn].filter((r) => r in cursors);
  for (const repository of resetCursors) cursors[repository] = 0;
  const pending: PendingEntry[] = [];
  for (const row of rows.pending) {
    const parsed = pendingEntrySchema.safeParse(row);
    if (parsed.success) pending.push(parsed.data);
  }
  const droppedPending = rows.pending.length - pending.length;
  if (droppedRecords + droppedCursors + droppedPending === 0) return { records, cursors, pending };
  const repair: StorageRepair = {
    reason,
    reset: false,
    droppedRecords,
    droppedPending,
    keptPending: pending.length,
    resetCursors,
  };
  return { records, cursors, pending, repair };
}
