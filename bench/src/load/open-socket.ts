import WebSocket from 'ws';
import type { Endpoint } from './messages.ts';

/**
 * Opens a load-generator WebSocket and lets `setUp` run the protocol's handshake on it: `done()` when the
 * session is ready, `done(reason)` when it failed. Settles once; a failure, an early close or `timeoutMs`
 * without `done` terminates the socket.
 */
export function openSocket<T>(
  endpoint: Endpoint,
  timeoutMs: number,
  setUp: (socket: WebSocket, done: (failure?: string) => void) => T,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(endpoint.url, {
      perMessageDeflate: false,
      skipUTF8Validation: true,
      ...(endpoint.localAddress === undefined ? {} : { localAddress: endpoint.localAddress }),
    });
    let settled = false;
    const done = (failure?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (failure !== undefined) {
        socket.terminate();
        reject(new Error(failure));
        return;
      }
      socket.on('error', () => socket.terminate());
      // Handshakes complete on socket events, so `session` is assigned by the time this runs.
      resolve(session);
    };
    const timer = setTimeout(() => done('timeout'), timeoutMs);
    socket.once('error', (err: NodeJS.ErrnoException) => done(err.code ?? err.message));
    socket.once('unexpected-response', (_req, res) => done(`http ${res.statusCode ?? '?'}`));
    socket.once('close', (code) => done(`closed ${code}`));
    const session = setUp(socket, done);
  });
}
