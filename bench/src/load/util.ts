import { nowUs } from './messages.ts';

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Sleeps until the monotonic clock reaches `atUs` (returns at once if it has). */
export async function sleepUntil(atUs: number): Promise<void> {
  const waitMs = (atUs - nowUs()) / 1000;
  if (waitMs > 0) await sleep(waitMs);
}

/** Runs `fn` over `items` with at most `limit` in flight; results in input order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T, index);
    }
  });
  await Promise.all(lanes);
  return results;
}

/** A `push_events_batch` frame holding one event, created now. */
export function oneEventPush(repository: string, eventId: string, data: Record<string, unknown>): string {
  const event = {
    _event_id: eventId,
    _operation: 'insert',
    _created_at: new Date().toISOString(),
    _data: data,
  };
  return JSON.stringify({ type: 'push_events_batch', repository, events: [event] });
}

export function count(record: Record<string, number>, key: string, by = 1): void {
  record[key] = (record[key] ?? 0) + by;
}

const paddings = new Map<number, string>();

/** A string of `bytes` characters, to give events a realistic size. */
export function padding(bytes: number): string {
  let pad = paddings.get(bytes);
  if (pad === undefined) {
    pad = 'x'.repeat(Math.max(0, bytes));
    paddings.set(bytes, pad);
  }
  return pad;
}

export function errorKey(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.slice(0, 80);
}

/** Several tallies of `count` added up. */
export function sumCounts(records: ReadonlyArray<Record<string, number>>): Record<string, number> {
  const total: Record<string, number> = {};
  for (const record of records) for (const [k, n] of Object.entries(record)) total[k] = (total[k] ?? 0) + n;
  return total;
}
