import { signToken } from '../stack/tokens.ts';
import { LfsSession } from './lfs-session.ts';
import type { SlowOpenParams, SlowResumeResult } from './messages.ts';

interface Slow {
  session: LfsSession;
  closed: Promise<{ code: number; reason: string }>;
  /** Bytes of `events` frames read after resuming. */
  bytesRead: number;
  errorCode: string | undefined;
  reading: boolean;
}

let slow: Slow | undefined;

/**
 * A session that follows a repository, then stops reading its socket: the kernel buffers fill, then the
 * gateway's send buffer, until the gateway gives up on it (close 4408) rather than hold ever more memory.
 */
export async function slowOpen(params: SlowOpenParams): Promise<{ ok: true }> {
  let synced: (() => void) | undefined;
  let resolveClosed: ((closed: { code: number; reason: string }) => void) | undefined;
  const closed = new Promise<{ code: number; reason: string }>((resolve) => (resolveClosed = resolve));
  const session = await LfsSession.connect(
    params.endpoint,
    await signToken('slow-consumer', { read: [params.topic], write: [] }),
    {
      onSyncComplete: () => synced?.(),
      onClose: (code, reason) => resolveClosed?.({ code, reason }),
    },
  );
  const state: Slow = { session, closed, bytesRead: 0, errorCode: undefined, reading: true };
  session.handlers.onEvents = (_repository, _events, bytes) => {
    if (!state.reading) state.bytesRead += bytes;
  };
  session.handlers.onError = (code) => (state.errorCode = code);
  if (params.pause === 'catchUp') {
    session.pauseReading();
    state.reading = false;
    session.requestEvents(params.topic, 0);
  } else {
    await new Promise<void>((resolve) => {
      synced = resolve;
      session.requestEvents(params.topic, 0);
    });
    session.pauseReading();
    state.reading = false;
  }
  slow = state;
  return { ok: true };
}

/** Reads again and reports how the gateway closed the connection (it should have: 4408 SLOW_CONSUMER). */
export async function slowResume(params: { timeoutMs: number }): Promise<SlowResumeResult> {
  const current = slow;
  if (current === undefined) throw new Error('no slow consumer open');
  slow = undefined;
  current.session.resumeReading();
  const timeout = new Promise<undefined>((resolve) =>
    setTimeout(() => resolve(undefined), params.timeoutMs).unref(),
  );
  const closed = await Promise.race([current.closed, timeout]);
  current.session.terminate();
  return {
    closeCode: closed?.code,
    closeReason: closed?.reason ?? 'still open',
    errorCode: current.errorCode,
    bytesReadAfterResume: current.bytesRead,
  };
}
