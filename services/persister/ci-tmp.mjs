import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { MongoClient } from 'mongodb';
const nc = await connect({ servers: process.argv[2] });
const jsm = await jetstreamManager(nc);
for await (const s of jsm.streams.list()) {
  console.log(s.config.name, JSON.stringify(s.state).slice(0, 300));
  for await (const c of jsm.consumers.list(s.config.name)) console.log(' consumer', c.name, 'pending', c.num_pending, 'ackpend', c.num_ack_pending, 'delivered', JSON.stringify(c.delivered), 'ackfloor', JSON.stringify(c.ack_floor), 'redelivered', c.num_redelivered, 'waiting', c.num_waiting);
}
await nc.close();
const m = await MongoClient.connect(process.argv[3]);
const db = m.db(process.argv[4]);
console.log('events', await db.collection('events').countDocuments(), 'heads', await db.collection('heads').countDocuments());
await m.close();
