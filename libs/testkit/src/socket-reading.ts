import { Socket } from 'node:net';
import type WebSocket from 'ws';

/** A `ws` WebSocket's connection whose reading the caller controls (see `controlReading`). */
export interface ControlledReading {
  readonly socket: Socket;
  /** Resumes reading (the only resume that works until `release`). */
  readonly resume: () => void;
  /** Gives reading back to `ws`, and resumes it. */
  readonly release: () => void;
}

/**
 * Takes the reading of a WebSocket's connection out of `ws`'s hands. `ws` pauses and resumes the socket as
 * its frame parser fills and drains, which would quietly undo a pause of the caller's; until `release`, its
 * resumes do nothing. The connection is a private field of `ws`, the only way to stop reading it.
 */
export function controlReading(ws: WebSocket): ControlledReading {
  const socket = (ws as unknown as { _socket?: Socket })._socket;
  if (socket === undefined) throw new Error('controlReading: socket not connected');
  // An own property shadows the prototype's `resume`; deleting it restores that.
  socket.resume = () => socket;
  return {
    socket,
    resume: () => Socket.prototype.resume.call(socket),
    release: () => {
      delete (socket as Partial<Socket>).resume;
      socket.resume();
    },
  };
}
