import WebSocket from 'ws';

export interface FreshClientRead {
  mode: 'replay' | 'snapshot';
  /** Bytes of every frame received from the request to `sync_complete`. */
  bytes: number;
  /** From sending the request to `sync_complete`. */
  totalMs: number;
  firstFrameMs: number;
  /** Events received in `snapshot` frames and in `events` frames. */
  snapshotEvents: number;
  logEvents: number;
  /** The state reached: entity id → sequence of its latest event (deleted entities removed). */
  state: Map<string, number>;
}

interface Frame {
  type: string;
  repository?: string;
  events?: Array<{
    _operation: number | string;
    _data_id?: string;
    _data?: { id?: unknown };
    serverSequence: number;
  }>;
}

/**
 * A client with nothing of `repository` yet: connects, authenticates and reads it whole, as a replay of
 * the log (`request_events` from 0) or as a snapshot and the log after it, until `sync_complete`.
 */
export async function readAsFreshClient(
  url: string,
  token: string,
  repository: string,
  mode: FreshClientRead['mode'],
  timeoutMs: number,
): Promise<FreshClientRead> {
  const socket = new WebSocket(url);
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  try {
    return await new Promise<FreshClientRead>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${mode} read timed out`)), timeoutMs);
      const read = emptyRead(mode);
      let started = 0;
      socket.on('message', (data: Buffer) => {
        const frame = JSON.parse(data.toString()) as Frame;
        if (frame.type === 'auth_success') {
          started = performance.now();
          socket.send(JSON.stringify(requestOf(mode, repository)));
          return;
        }
        if (started === 0 || frame.repository !== repository) return;
        if (read.bytes === 0) read.firstFrameMs = performance.now() - started;
        read.bytes += data.length;
        if (frame.type === 'error') reject(new Error(`refused: ${data.toString()}`));
        if (frame.type === 'snapshot') read.snapshotEvents += apply(read.state, frame);
        if (frame.type === 'events') read.logEvents += apply(read.state, frame);
        if (frame.type !== 'sync_complete') return;
        read.totalMs = performance.now() - started;
        clearTimeout(timer);
        resolve(read);
      });
      socket.send(JSON.stringify({ type: 'auth', token }));
    });
  } finally {
    socket.close();
  }
}

function emptyRead(mode: FreshClientRead['mode']): FreshClientRead {
  return { mode, bytes: 0, totalMs: 0, firstFrameMs: 0, snapshotEvents: 0, logEvents: 0, state: new Map() };
}

function requestOf(mode: FreshClientRead['mode'], repository: string): Record<string, unknown> {
  return mode === 'replay'
    ? { type: 'request_events', repository, afterSequence: 0 }
    : { type: 'request_snapshot', repository };
}

function apply(state: Map<string, number>, frame: Frame): number {
  for (const event of frame.events ?? []) {
    const id = event._data_id ?? (typeof event._data?.id === 'string' ? event._data.id : undefined);
    if (id === undefined) continue;
    if (event._operation === 2 || event._operation === 'delete') state.delete(id);
    else state.set(id, event.serverSequence);
  }
  return frame.events?.length ?? 0;
}
