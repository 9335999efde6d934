import { startNatsServer, uniqueName } from '@lfsync/testkit';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { describe, expect, it, onTestFinished } from 'vitest';
import { JetStreamBatchWriter, JetStreamWriteError } from './jetstream-batch-writer.ts';

async function writerOn(stream: { subjects: string[]; maxMsgSize?: number }) {
  const nats = await startNatsServer();
  onTestFinished(() => nats.dispose());
  const nc = await connect({ servers: nats.url });
  onTestFinished(() => nc.close());
  const jsm = await jetstreamManager(nc);
  const name = uniqueName('S');
  await jsm.streams.add({
    name,
    subjects: stream.subjects,
    ...(stream.maxMsgSize === undefined ? {} : { max_msg_size: stream.maxMsgSize }),
  });
  return { writer: new JetStreamBatchWriter(nc, 2_000), jsm, name };
}

describe('JetStreamBatchWriter', () => {
  it('stores every message of a batch and resolves with their stream sequences in order', async () => {
    const { writer, jsm, name } = await writerOn({ subjects: ['w.>'] });
    const first = await writer.write([
      { subject: 'w.a', data: '1' },
      { subject: 'w.b', data: '2' },
    ]);
    const second = await writer.write(
      Array.from({ length: 300 }, (_, i) => ({ subject: `w.${i}`, data: `${i}` })),
    );

    expect(first).toEqual([1, 2]);
    expect(second).toEqual(Array.from({ length: 300 }, (_, i) => i + 3));
    expect((await jsm.streams.getMessage(name, { last_by_subj: 'w.b' }))?.string()).toBe('2');
    expect(await writer.write([])).toEqual([]);
  });

  it('rejects a batch when the stream refuses one of its messages', async () => {
    const { writer } = await writerOn({ subjects: ['w.>'], maxMsgSize: 16 });
    await expect(
      writer.write([
        { subject: 'w.small', data: 'ok' },
        { subject: 'w.large', data: 'x'.repeat(64) },
      ]),
    ).rejects.toBeInstanceOf(JetStreamWriteError);
    expect(await writer.write([{ subject: 'w.small', data: 'ok' }])).toHaveLength(1);
  });

  it('rejects a batch for a subject no stream takes, and every pending one once closed', async () => {
    const { writer } = await writerOn({ subjects: ['w.>'] });
    await expect(writer.write([{ subject: 'elsewhere', data: '1' }])).rejects.toThrow(/503/);

    const pending = writer.write([{ subject: 'w.a', data: '1' }]);
    writer.close();
    await expect(pending).rejects.toThrow(/closed/);
  });
});
