import type { AdminEnv } from './connections.ts';
import { withDatabase } from './connections.ts';

/** The repository's head and its last `last` events, one line each (`#<sequence> <event JSON>`). */
export async function inspectRepository(env: AdminEnv, repository: string, last: number): Promise<string[]> {
  return withDatabase(env, async (_db, store) => {
    const head = await store.head(repository);
    const events = await store.readAfter(repository, Math.max(0, head - last), last);
    const lines = [`repository ${repository}: head ${head}`];
    if (head === 0) lines.push('(no events)');
    for (const event of events) lines.push(`#${event.sequence} ${event.json}`);
    return lines;
  });
}
