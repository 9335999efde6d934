import { AppError } from '@lfsync/contracts';
import { FakeClock } from '@lfsync/testkit';
import { describe, expect, it } from 'vitest';
import { SharedFrame } from './frames.ts';
import { CLOSING, recordedSocket } from './testing/recorded-socket.ts';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('SessionSocket', () => {
  it('writes each frame at once while no push waits for its ack', () => {
    const { socket, writes } = recordedSocket(new FakeClock());
    socket.send(new SharedFrame('{"type":"events"}'));
    socket.send('{"type":"pong"}');
    expect(writes).toEqual([['{"type":"events"}'], ['{"type":"pong"}']]);
  });

  it("writes a pusher's frames of one tick together, in order, once the microtasks ran", async () => {
    const { socket, writes } = recordedSocket(new FakeClock());
    socket.holdForAck();
    socket.send(new SharedFrame('{"type":"events"}'));
    await Promise.resolve();
    socket.send('{"type":"pong"}');
    expect(writes).toEqual([]);
    await tick();
    expect(writes).toEqual([['{"type":"events"}', '{"type":"pong"}']]);
  });

  it('writes an ack with the frames held for it at once, without waiting for the end of the tick', async () => {
    const { socket, writes } = recordedSocket(new FakeClock());
    const release = socket.holdForAck();
    socket.send(new SharedFrame('{"type":"events"}'));
    await Promise.resolve();
    socket.sendAck('{"type":"ack"}');
    expect(writes).toEqual([['{"type":"events"}', '{"type":"ack"}']]);
    release();
    socket.send('{"type":"pong"}');
    await tick();
    expect(writes).toEqual([['{"type":"events"}', '{"type":"ack"}'], ['{"type":"pong"}']]);
  });

  it('writes at once what reaches the coalescing size', () => {
    const { socket, writes } = recordedSocket(new FakeClock());
    socket.holdForAck();
    const large = `"${'x'.repeat(20_000)}"`;
    socket.send('{"type":"pong"}');
    socket.send(large);
    expect(writes).toEqual([['{"type":"pong"}', large]]);
  });

  it('sends the frames held before an error that closes the connection', () => {
    const { socket, writes } = recordedSocket(new FakeClock());
    socket.holdForAck();
    socket.send('{"type":"ack"}');
    socket.closeWithError(new AppError('PROTOCOL_VIOLATION', 'too many invalid frames'));
    expect(writes[0]).toEqual(['{"type":"ack"}']);
    expect(writes[1]?.[0]).toContain('PROTOCOL_VIOLATION');
  });

  it('drops the frames held when the connection started closing meanwhile', async () => {
    const { socket, ws, writes } = recordedSocket(new FakeClock());
    socket.holdForAck();
    socket.send('{"type":"ack"}');
    ws.readyState = CLOSING;
    await tick();
    expect(writes).toEqual([]);
  });

  it('counts held frames against the outbound limit', () => {
    const { socket, ws, writes } = recordedSocket(new FakeClock());
    socket.holdForAck();
    ws.bufferedAmount = 64 * 1024 - 10;
    expect(socket.send('{"type":"ack"}')).toBe(true);
    expect(socket.send('{"type":"ack"}')).toBe(false);
    expect(writes.flat().some((frame) => frame.includes('SLOW_CONSUMER'))).toBe(true);
  });
});

describe('SessionSocket on its connection: heartbeat, Nagle', () => {
  /** `connection.held` is libuv's write queue (bytes the kernel refused so far), set by each test. */
  const beatingSocket = (nagle: 'off' | 'readers' = 'off') => recordedSocket(new FakeClock(), { nagle });

  it('drops a connection that answered nothing since the last ping', () => {
    const { socket, ws } = beatingSocket();
    socket.heartbeat();
    expect(ws).toMatchObject({ pings: 1, terminated: false });
    socket.heartbeat();
    expect(ws.terminated).toBe(true);
  });

  it('keeps a connection that answers each ping', () => {
    const { socket, ws } = beatingSocket();
    for (let beat = 0; beat < 5; beat++) {
      socket.heartbeat();
      socket.markAlive();
    }
    expect(ws).toMatchObject({ pings: 5, terminated: false });
  });

  it('keeps a connection whose pong waits behind a backlog the peer keeps reading', () => {
    const { socket, ws, connection } = beatingSocket();
    socket.heartbeat();
    connection.held = 6_000_000;
    for (let beat = 0; beat < 6; beat++) {
      socket.heartbeat();
      connection.held -= 1_000_000;
    }
    expect(ws.terminated).toBe(false);
  });

  it('drops a connection whose backlog stopped draining, one beat after it appeared at the latest', () => {
    const { socket, ws, connection } = beatingSocket();
    socket.heartbeat();
    connection.held = 6_000_000;
    socket.heartbeat();
    expect(ws.terminated).toBe(false);
    socket.heartbeat();
    expect(ws.terminated).toBe(true);
  });

  it('drops a silent connection two beats after its backlog drained', () => {
    const { socket, ws, connection } = beatingSocket();
    connection.held = 2_000_000;
    socket.heartbeat();
    connection.held = 1_000_000;
    socket.heartbeat();
    connection.held = 0;
    socket.heartbeat();
    socket.heartbeat();
    expect(ws.terminated).toBe(false);
    socket.heartbeat();
    expect(ws.terminated).toBe(true);
  });

  it('with TCP_NAGLE=readers, merges small segments except while a push waits for its ack', () => {
    const { socket, connection } = beatingSocket('readers');
    expect(connection.noDelay).toEqual([false]);
    const first = socket.holdForAck();
    const second = socket.holdForAck();
    expect(connection.noDelay).toEqual([false, true]);
    first();
    first();
    expect(connection.noDelay).toEqual([false, true]);
    second();
    expect(connection.noDelay).toEqual([false, true, false]);
  });

  it('by default leaves the socket as `ws` set it (each frame at once)', () => {
    const { socket, connection } = beatingSocket();
    socket.holdForAck()();
    expect(connection.noDelay).toEqual([]);
  });
});
