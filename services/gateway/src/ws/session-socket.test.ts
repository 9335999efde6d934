import { AppError } from '@lfsync/contracts';
import { FakeClock } from '@lfsync/testkit';
import { describe, expect, it } from 'vitest';
import { SharedFrame } from './frames.ts';
import { MAX_GRACE_BEATS, MIN_READ_BYTES_PER_SEC } from './backlog-watch.ts';
import { CLOSING, PING_INTERVAL_MS, recordedSocket } from './testing/recorded-socket.ts';

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
  /**
   * `connection.written` is what was handed to libuv, `connection.held` its write queue (bytes the kernel
   * refused so far), set by each test. The peer is assumed to read at least 1 MiB per beat.
   */
  const MiB = (MIN_READ_BYTES_PER_SEC * PING_INTERVAL_MS) / 1000;
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
    connection.written = 10_000_000;
    connection.held = 6_000_000;
    for (let beat = 0; beat < 6; beat++) {
      socket.heartbeat();
      connection.held -= 1_000_000;
    }
    expect(ws.terminated).toBe(false);
  });

  it('drops a connection whose backlog stopped draining, once it could have read what the kernel took', () => {
    const { socket, ws, connection } = beatingSocket();
    socket.heartbeat();
    socket.pong();
    connection.written = 5 * MiB;
    connection.held = 2 * MiB;
    socket.heartbeat();
    // New frames make libuv hold more, yet the kernel takes none of them: 3 MiB stood unread before the
    // ping at the pong, three beats' reading.
    for (let beat = 0; beat < 2; beat++) {
      connection.written += MiB;
      connection.held += MiB;
      socket.heartbeat();
    }
    expect(ws.terminated).toBe(false);
    socket.heartbeat();
    expect(ws.terminated).toBe(true);
  });

  /** A reader 1 MiB per beat behind a 4 MiB backlog, its first ping answered; libuv empty after three beats. */
  const drainedReader = () => {
    const beating = beatingSocket();
    const { socket, connection } = beating;
    socket.heartbeat();
    socket.pong();
    connection.written = 4 * MiB;
    for (const held of [2 * MiB, MiB, 0]) {
      connection.held = held;
      socket.heartbeat();
    }
    return beating;
  };

  it('keeps a reader whose ping waits behind what the kernel took for the beats it needs to read it, not more', () => {
    const { socket, ws } = drainedReader();
    for (let beat = 0; beat < 4; beat++) socket.heartbeat();
    expect(ws.terminated).toBe(false);
    // The pong proves it read all of it: from here a beat without an answer is one too many.
    socket.pong();
    socket.heartbeat();
    expect(ws.terminated).toBe(false);
    socket.heartbeat();
    expect(ws.terminated).toBe(true);
  });

  it('drops a reader that stopped, once it had the beats to read what the kernel took', () => {
    const { socket, ws } = drainedReader();
    for (let beat = 0; beat < 4; beat++) socket.heartbeat();
    expect(ws.terminated).toBe(false);
    socket.heartbeat();
    expect(ws.terminated).toBe(true);
  });

  it('gives a backlog the kernel took without ever refusing bytes the beats the slowest reader needs', () => {
    const { socket, ws, connection } = beatingSocket();
    socket.heartbeat();
    socket.pong();
    // A receive buffer grown large takes 3 MiB at once: at 1 MiB per beat, the ping is 3 beats away.
    connection.written = 3 * MiB;
    for (let beat = 0; beat < 3; beat++) socket.heartbeat();
    expect(ws.terminated).toBe(false);
    socket.heartbeat();
    expect(ws.terminated).toBe(true);
  });

  it('judges a very slow reader after at most MAX_GRACE_BEATS beats', () => {
    const { socket, ws, connection } = beatingSocket();
    connection.written = 50 * MiB;
    connection.held = 1_000;
    socket.heartbeat();
    connection.held = 0;
    socket.heartbeat();
    for (let beat = 0; beat < MAX_GRACE_BEATS; beat++) socket.heartbeat();
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
