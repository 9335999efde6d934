import { timestampMs, type CounterLogRecord } from './records.ts';

export interface ActivityItem {
  readonly id: string;
  readonly text: string;
  readonly username: string;
  readonly increment: number;
  /** Epoch ms; `undefined` when the writer's timestamp is unreadable (listed last). */
  readonly atMs: number | undefined;
}

/** "Increased by 1 by Alice", "Decreased by 2 by Bob". */
export function describeChange(increment: number, username: string): string {
  if (increment === 0) return `No change by ${username}`;
  const verb = increment > 0 ? 'Increased' : 'Decreased';
  return `${verb} by ${Math.abs(increment)} by ${username}`;
}

/**
 * The `limit` latest log entries, newest first: by creation time, then by id (UUIDv7 ids of one writer sort
 * in creation order, so two clicks in the same millisecond keep their order). One pass, no full sort: the log
 * only grows, and this runs on every change.
 */
export function latestActivity(logs: readonly CounterLogRecord[], limit: number): ActivityItem[] {
  const latest: ActivityItem[] = [];
  for (const log of logs) {
    const item: ActivityItem = {
      id: log.id,
      text: describeChange(log.increment, log.username),
      username: log.username,
      increment: log.increment,
      atMs: timestampMs(log.created_at),
    };
    if (latest.length === limit && !isNewer(item, latest[latest.length - 1])) continue;
    let index = latest.length;
    while (index > 0 && isNewer(item, latest[index - 1])) index -= 1;
    latest.splice(index, 0, item);
    if (latest.length > limit) latest.pop();
  }
  return latest;
}

function isNewer(a: ActivityItem, b: ActivityItem | undefined): boolean {
  if (b === undefined) return true;
  const at = a.atMs ?? -Infinity;
  const bt = b.atMs ?? -Infinity;
  if (at !== bt) return at > bt;
  return a.id > b.id;
}

/** "just now", "45 s ago", "3 min ago", "2 h ago", "3 d ago"; clocks a little ahead count as "just now". */
export function relativeTime(thenMs: number | undefined, nowMs: number): string {
  if (thenMs === undefined) return 'some time ago';
  const seconds = Math.floor((nowMs - thenMs) / 1000);
  if (seconds < 10) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  return `${Math.floor(hours / 24)} d ago`;
}
