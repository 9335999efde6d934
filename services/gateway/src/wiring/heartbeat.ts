import type { Cancel, Clock } from '@lfsync/ports';
import type { Session } from '../ws/session.ts';

/** Pings every session each `intervalMs`; those that did not answer the previous ping are dropped. */
export function startHeartbeat(sessions: ReadonlySet<Session>, intervalMs: number, clock: Clock): Cancel {
  let cancel: Cancel = () => undefined;
  let stopped = false;
  const tick = () => {
    if (stopped) return;
    for (const session of sessions) session.heartbeat();
    cancel = clock.schedule(intervalMs, tick);
  };
  cancel = clock.schedule(intervalMs, tick);
  return () => {
    stopped = true;
    cancel();
  };
}
