import { startNatsServer } from '@lfsync/testkit';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { describe, expect, it, onTestFinished } from 'vitest';
import { ReplyInbox, ReplyTimeoutError } from './reply-inbox.ts';

async function connected(): Promise<NatsConnection> {
  const nats = await startNatsServer();
  onTestFinished(() => nats.dispose());
  const nc = await connect({ servers: nats.url });
  onTestFinished(() => nc.close());
  return nc;
}

/** Answers each request on `subject` with the replies `answer` gives for its text, in order. */
function responder(nc: NatsConnection, subject: string, answer: (text: string) => string[]) {
  nc.subscribe(subject, {
    callback: (_err, msg) => {
      for (const reply of answer(msg.string())) msg.respond(reply);
    },
  });
}

describe('ReplyInbox', () => {
  it('passes each reply to its own request until the request says it is done', async () => {
    const nc = await connected();
    responder(nc, 'count', (text) => [...Array.from({ length: Number(text) }, (_, i) => `${i}`), 'end']);
    await nc.flush();
    const inbox = new ReplyInbox(nc);
    const collect = (count: number) => {
      const seen: string[] = [];
      const done = inbox.request('count', `${count}`, 2_000, (reply) => {
        const text = reply.string();
        if (text !== 'end') seen.push(text);
        return text === 'end';
      });
      return done.then(() => seen);
    };
    expect(await Promise.all([collect(3), collect(1), collect(0)])).toEqual([['0', '1', '2'], ['0'], []]);
  });

  it('rejects with the error `take` throws, and with ReplyTimeoutError when no final reply comes', async () => {
    const nc = await connected();
    responder(nc, 'one', () => ['only']);
    await nc.flush();
    const inbox = new ReplyInbox(nc);
    const refused = inbox.request('one', '', 2_000, () => {
      throw new Error('bad reply');
    });
    await expect(refused).rejects.toThrow('bad reply');
    await expect(inbox.request('one', '', 300, () => false)).rejects.toBeInstanceOf(ReplyTimeoutError);
    await expect(inbox.request('nobody', '', 300, () => true)).resolves.toBeUndefined(); // 503: a reply too
  });

  it('rejects what is pending when closed', async () => {
    const nc = await connected();
    const inbox = new ReplyInbox(nc);
    const pending = inbox.request('silent', '', 10_000, () => false);
    inbox.close();
    await expect(pending).rejects.toBeInstanceOf(ReplyTimeoutError);
  });
});
