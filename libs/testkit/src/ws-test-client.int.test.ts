import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { WsTestClient } from './ws-test-client.ts';

/** A bare WebSocket server on port 0; `accept` connects a WsTestClient and returns the server's end. */
async function startServer() {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(server, 'listening');
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of server.clients) socket.terminate();
        server.close(() => resolve());
      }),
  );
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    async accept(): Promise<{ client: WsTestClient; serverEnd: WebSocket }> {
      const connected = once(server, 'connection') as Promise<[WebSocket]>;
      const client = await WsTestClient.connect(url);
      onTestFinished(() => client.terminate());
      const [serverEnd] = await connected;
      return { client, serverEnd };
    },
  };
}

const event = (id: string, serverSequence: number) => ({
  _event_id: id,
  _operation: 0,
  _created_at: '2026-01-01T00:00:00Z',
  _data: { id },
  serverSequence,
});

describe('WsTestClient', () => {
  it('receives frames as typed server messages and waits for one by type and condition', async () => {
    const { client, serverEnd } = await (await startServer()).accept();
    serverEnd.send(JSON.stringify({ type: 'sync_complete', repository: 'a', lastSequence: 1 }));
    serverEnd.send(JSON.stringify({ type: 'events', repository: 'b', events: [event('e1', 1)] }));
    serverEnd.send(JSON.stringify({ type: 'sync_complete', repository: 'b', lastSequence: 7 }));

    const complete = await client.waitForType('sync_complete', (f) => f.repository === 'b');
    expect(complete.lastSequence).toBe(7);
    expect(client.eventsOf('b').map((e) => [e._event_id, e.serverSequence])).toEqual([['e1', 1]]);
    expect((await client.waitForType('sync_complete')).repository).toBe('a');
  });

  it('keeps a frame that is not a server message as unparsed and fails the waits with the reason', async () => {
    const { client, serverEnd } = await (await startServer()).accept();
    const waiting = client.waitForType('ack');
    serverEnd.send(JSON.stringify({ type: 'ack', eventIds: 'e1' }));

    await expect(waiting).rejects.toThrow(/not a ServerMessage \(.*eventIds.*\).*"eventIds":"e1"/);
    const [unparsed, ...others] = client.frames;
    expect(others).toEqual([]);
    expect(unparsed).toMatchObject({ type: 'unparsed', raw: '{"type":"ack","eventIds":"e1"}' });
    expect(unparsed?.type === 'unparsed' && unparsed.problem).toMatch(/eventIds/);
    serverEnd.send(JSON.stringify({ type: 'pong' }));
    await expect(client.waitForType('pong')).rejects.toThrow(/not a ServerMessage/);
  });

  it('records text that is not JSON as unparsed', async () => {
    const { client, serverEnd } = await (await startServer()).accept();
    const waiting = client.waitFor(() => true);
    serverEnd.send('{"type": "pong"');

    await expect(waiting).rejects.toThrow(/not a ServerMessage \(not JSON\)/);
    expect(client.frames).toMatchObject([{ type: 'unparsed', problem: 'not JSON' }]);
  });

  it('reads nothing while paused and everything that waited once resumed', async () => {
    const server = await startServer();
    const paused = await server.accept();
    const witness = await server.accept();
    paused.client.pauseReading();

    const blob = 'x'.repeat(1024 * 1024);
    paused.serverEnd.send(JSON.stringify({ type: 'ping' }));
    for (let i = 1; i <= 16; i++) {
      paused.serverEnd.send(
        JSON.stringify({ type: 'events', repository: 'r', events: [{ ...event(`e${i}`, i), blob }] }),
      );
    }
    // On loopback the first frame is in the paused socket's receive queue before the witness's is sent, so
    // the poll that reads the witness's frame finds both sockets readable; by the next check phase
    // (setImmediate) a reading client would have had it.
    witness.serverEnd.send(JSON.stringify({ type: 'ping' }));
    await witness.client.waitForType('ping');
    await new Promise((resolve) => setImmediate(resolve));
    expect(paused.client.frames).toEqual([]);

    paused.client.resumeReading();
    await paused.client.waitForType('ping');
    // 16 MiB to take in and parse: more than the poll's default second on a slow, busy machine.
    await expect
      .poll(() => paused.client.eventsOf('r').map((e) => e.serverSequence), { timeout: 15_000 })
      .toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
  });
});
