import type { IncomingMessage, ServerResponse } from 'node:http';

/** `POST /drain` for the ops server only: runs the drain once and answers how many sessions it closed. */
export function drainRoute(drain: () => Promise<number>) {
  let draining: Promise<number> | undefined;
  const route = async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    if ((req.url ?? '/').split('?')[0] !== '/drain') return false;
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST', 'content-type': 'application/json' }).end('{"error":"use POST"}');
      return true;
    }
    draining ??= drain();
    const sessions = await draining;
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ status: 'drained', sessions }));
    return true;
  };
  return { route, drained: () => draining !== undefined };
}
