/**
 * The naive single-process design sync servers start with, as the comparison point for ingest: one Node
 * process with `ws` and the `mongodb` driver; per event, `findOneAndUpdate` `$inc` on a counter document,
 * read the counter back, insert the event, broadcast it to every socket; then ack the batch. No sequencer,
 * no log, no batching, no auth check (which only flatters it). On FerretDB, `$inc` is not atomic under
 * concurrency, so this design also hands out duplicate sequences — counted after the run.
 *
 * Speaks the subset of docs/protocol.md the ingest generators use. Run as its own process:
 * `PORT=… MONGO_URL=… MONGO_DB=… node --import tsx bench/src/baseline/server.ts`.
 */
import { createServer } from 'node:http';
import { MongoClient } from 'mongodb';
import { WebSocketServer, WebSocket } from 'ws';

interface PushedEvent {
  _event_id: string;
  [key: string]: unknown;
}

const port = Number(process.env['PORT'] ?? 0);
const mongo = await MongoClient.connect(process.env['MONGO_URL'] ?? 'mongodb://127.0.0.1:27017/');
const db = mongo.db(process.env['MONGO_DB'] ?? 'baseline');
const counters = db.collection<{ _id: string; seq: number }>('counters');
const events = db.collection('events');

const server = createServer((_req, res) => res.writeHead(404).end());
const wss = new WebSocketServer({ server, path: '/sync', perMessageDeflate: false });

async function nextSequence(repository: string): Promise<number> {
  await counters.findOneAndUpdate(
    { _id: repository },
    { $inc: { seq: 1 } },
    { upsert: true, returnDocument: 'after' },
  );
  const counter = await counters.findOne({ _id: repository });
  return counter?.seq ?? 0;
}

function broadcast(frame: string): void {
  for (const client of wss.clients) if (client.readyState === WebSocket.OPEN) client.send(frame);
}

async function push(socket: WebSocket, repository: string, batch: readonly PushedEvent[]): Promise<void> {
  const sequences: Record<string, number> = {};
  for (const event of batch) {
    const serverSequence = await nextSequence(repository);
    const stored = { ...event, serverSequence };
    await events.insertOne({ repository, ...stored });
    sequences[event._event_id] = serverSequence;
    broadcast(JSON.stringify({ type: 'events', repository, events: [stored] }));
  }
  const eventIds = batch.map((e) => e._event_id);
  socket.send(JSON.stringify({ type: 'ack', eventIds, repositories: { [repository]: eventIds }, sequences }));
}

wss.on('connection', (socket) => {
  socket.on('message', (data: Buffer) => {
    let frame: Record<string, unknown>;
    try {
      frame = JSON.parse(data.toString()) as Record<string, unknown>;
    } catch {
      socket.send(JSON.stringify({ type: 'error', code: 'INVALID_MESSAGE', message: 'bad JSON' }));
      return;
    }
    switch (frame['type']) {
      case 'auth':
        socket.send(JSON.stringify({ type: 'auth_success' }));
        return;
      case 'push_events_batch': {
        const batch = frame['events'] as PushedEvent[];
        push(socket, frame['repository'] as string, batch).catch((err: unknown) => {
          socket.send(
            JSON.stringify({
              type: 'error',
              code: 'INTERNAL',
              message: String(err),
              eventIds: batch.map((e) => e._event_id),
            }),
          );
        });
        return;
      }
      default:
        return;
    }
  });
});

server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => {
  for (const client of wss.clients) client.terminate();
  server.close();
  void mongo.close().finally(() => process.exit(0));
});
