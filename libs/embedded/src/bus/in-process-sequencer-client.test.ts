import { AppError, type SequenceReply, type SequenceRequest } from '@lfsync/contracts';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { InProcessSequencerClient, type SequenceHandler } from './in-process-sequencer-client.ts';

const logger = pino({ level: 'silent' });
const ok = (request: SequenceRequest): SequenceReply => ({
  ok: true,
  results: request.events.map((e, i) => ({ eventId: e._event_id, sequence: i + 1, duplicate: false })),
});

function client(handle: SequenceHandler['handle'], timeoutMs = 1_000) {
  return new InProcessSequencerClient({ handler: { handle }, timeoutMs, logger });
}

async function failure(promise: Promise<unknown>): Promise<AppError> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof AppError)) throw new Error(`expected an AppError, got ${String(err)}`);
  return err;
}

describe('InProcessSequencerClient', () => {
  it('hands the sequencer the request as it would cross the bus, with its size in bytes', async () => {
    const seen: Array<[SequenceRequest, number]> = [];
    const sequencer = client((request, bytes) => {
      seen.push([request, bytes]);
      return Promise.resolve(ok(request));
    });
    const events = [{ _event_id: 'a', _data: { n: 1 }, dropped: undefined }];
    expect(await sequencer.sequence('counter', events)).toEqual([
      { eventId: 'a', sequence: 1, duplicate: false },
    ]);
    const text = JSON.stringify({ repository: 'counter', events });
    expect(seen).toEqual([
      [{ repository: 'counter', events: [{ _event_id: 'a', _data: { n: 1 } }] }, text.length],
    ]);
  });

  it('refuses what the bus schema refuses, without calling the sequencer', async () => {
    let called = false;
    const sequencer = client((request) => {
      called = true;
      return Promise.resolve(ok(request));
    });
    expect((await failure(sequencer.sequence('not a repository!', [{ _event_id: 'a' }]))).code).toBe(
      'INVALID_MESSAGE',
    );
    expect((await failure(sequencer.sequence('counter', []))).code).toBe('INVALID_MESSAGE');
    expect(called).toBe(false);
  });

  it('reports an unreachable or silent sequencer as UNAVAILABLE (retryable), a bug as INTERNAL, and passes coded errors on', async () => {
    const storageDown = Object.assign(new Error('storage down'), { code: 'ECONNREFUSED' });
    const failing = client(() => Promise.reject(storageDown));
    const unavailable = await failure(failing.sequence('counter', [{ _event_id: 'a' }]));
    expect([unavailable.code, unavailable.retryable, unavailable.retryAfterMs]).toEqual([
      'UNAVAILABLE',
      true,
      1_000,
    ]);

    const buggy = client(() => Promise.reject(new TypeError('x is undefined')));
    const internal = await failure(buggy.sequence('counter', [{ _event_id: 'a' }]));
    expect([internal.code, internal.retryable]).toEqual(['INTERNAL', true]);

    const busy = client(() => Promise.reject(new AppError('UNAVAILABLE', 'busy', { retryAfterMs: 250 })));
    expect((await failure(busy.sequence('counter', [{ _event_id: 'a' }]))).retryAfterMs).toBe(250);

    const silent = client(() => new Promise<SequenceReply>(() => {}), 20);
    expect((await failure(silent.sequence('counter', [{ _event_id: 'a' }]))).code).toBe('UNAVAILABLE');

    const refusing = client(() =>
      Promise.resolve<SequenceReply>({ ok: false, code: 'FORBIDDEN', message: 'no' }),
    );
    expect((await failure(refusing.sequence('counter', [{ _event_id: 'a' }]))).code).toBe('FORBIDDEN');
    const coded = client(() => Promise.reject(new AppError('PAYLOAD_TOO_LARGE', 'too big')));
    expect((await failure(coded.sequence('counter', [{ _event_id: 'a' }]))).code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('drains: resolves once every request handed to the sequencer has finished', async () => {
    let finish: () => void = () => {};
    const sequencer = client(
      (request) => new Promise<SequenceReply>((resolve) => (finish = () => resolve(ok(request)))),
      10,
    );
    await failure(sequencer.sequence('counter', [{ _event_id: 'a' }]));
    let drained = false;
    const draining = sequencer.drain().then(() => (drained = true));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(drained).toBe(false);
    finish();
    await draining;
    expect(drained).toBe(true);
  });
});
