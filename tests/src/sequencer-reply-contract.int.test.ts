import { AppError, busNames, type BusNames, type SequenceReply } from '@lfsync/contracts';
import { InProcessSequencerClient } from '@lfsync/embedded';
import { natsSequencerClient } from '@lfsync/gateway';
import type { SequencerClient } from '@lfsync/ports';
import { createSequencerMetrics, serveSequenceRequests, type SequenceResponder } from '@lfsync/sequencer';
import { captureLogs, uniqueName } from '@lfsync/testkit';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

type Handle = () => Promise<SequenceReply>;

const outcomes: Array<[string, Handle]> = [
  ['a busy sequencer', () => Promise.reject(new AppError('UNAVAILABLE', 'busy', { retryAfterMs: 250 }))],
  ['a refusal', () => Promise.reject(new AppError('PAYLOAD_TOO_LARGE', 'append too large'))],
  [
    'storage that cannot be reached',
    () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })),
  ],
  ['a bug', () => Promise.reject(new TypeError('cannot read properties of undefined'))],
  ['a failure reply', () => Promise.resolve({ ok: false, code: 'FORBIDDEN', message: 'no' })],
];

async function outcomeOf(client: SequencerClient): Promise<unknown> {
  try {
    return { results: await client.sequence('contract', [{ _event_id: 'e1' }]) };
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    return { code: err.code, message: err.message, retryAfterMs: err.retryAfterMs };
  }
}

/** The same sequencer outcome gives the gateway the same error over NATS and in one process. */
describe('sequencer reply contract: NATS and in-process', () => {
  let nc: NatsConnection;
  beforeAll(async () => {
    nc = await connect({ servers: inject('natsUrl') });
  });
  afterAll(() => nc.drain());

  /** A sequencer responder on `names` that answers with `handle`, subscribed once this resolves. */
  async function respond(names: BusNames, handle: Handle): Promise<SequenceResponder> {
    const logger = captureLogs('fatal').logger;
    const responder = serveSequenceRequests({
      nc,
      names,
      service: { handle },
      logger,
      metrics: createSequencerMetrics(),
    });
    await nc.flush();
    return responder;
  }

  async function overNats(handle: Handle): Promise<unknown> {
    const names = busNames(uniqueName('p'));
    const responder = await respond(names, handle);
    try {
      return await outcomeOf(natsSequencerClient(nc, names, 5_000));
    } finally {
      await responder.stop();
    }
  }

  function inProcess(handle: Handle): Promise<unknown> {
    const logger = captureLogs('fatal').logger;
    return outcomeOf(new InProcessSequencerClient({ handler: { handle }, timeoutMs: 5_000, logger }));
  }

  it.each(outcomes)('%s', async (_name, handle) => {
    const nats = await overNats(handle);
    expect(nats).toEqual(await inProcess(handle));
    expect(nats).toHaveProperty('code');
  });

  it('gives a busy sequencer its retry hint in both modes', async () => {
    const busy = outcomes[0]?.[1] as Handle;
    expect(await overNats(busy)).toMatchObject({ code: 'UNAVAILABLE', retryAfterMs: 250 });
    expect(await inProcess(busy)).toMatchObject({ code: 'UNAVAILABLE', retryAfterMs: 250 });
  });

  it('answers every request taken before stop, and then takes no more', async () => {
    const names = busNames(uniqueName('p'));
    let release: () => void = () => undefined;
    const responder = await respond(
      names,
      () =>
        new Promise<SequenceReply>((resolve) => {
          release = () => resolve({ ok: true, results: [{ eventId: 'e1', sequence: 1, duplicate: false }] });
        }),
    );
    const answered = outcomeOf(natsSequencerClient(nc, names, 5_000));
    // Answered only after the request before it was taken: one connection keeps its messages in order.
    await nc.request(names.sequenceSubject, 'not json', { timeout: 5_000 });
    let stopped = false;
    const stopping = responder.stop().then(() => (stopped = true));
    for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(await answered).toEqual({ results: [{ eventId: 'e1', sequence: 1, duplicate: false }] });
    expect(await outcomeOf(natsSequencerClient(nc, names, 500))).toMatchObject({ code: 'UNAVAILABLE' });
  });
});
