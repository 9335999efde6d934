import { RequestOne } from '@nats-io/nats-core/internal';
import type { Msg } from '@nats-io/transport-node';
import { describe, expect, it, vi } from 'vitest';
import './nats-request-patch.ts';

function request() {
  const mux = { cancel: vi.fn() };
  const r = new RequestOne(
    mux as unknown as ConstructorParameters<typeof RequestOne>[0],
    'subject',
    { timeout: 60_000 },
    false,
  );
  return { r, mux, reject: vi.spyOn(r.deferred, 'reject') };
}

describe('the answered-request patch', () => {
  it('resolves an answered request and forgets it, without rejecting it again with a new error', async () => {
    const { r, mux, reject } = request();
    const msg = { subject: 'reply' } as unknown as Msg;
    r.resolver(null, msg);
    await expect(r.deferred).resolves.toBe(msg);
    expect(mux.cancel).toHaveBeenCalledWith(r);
    expect(reject).not.toHaveBeenCalled();
  });

  it('leaves a failed request to the library: rejected with the error', async () => {
    const { r, mux } = request();
    r.resolver(new Error('boom'), {} as Msg);
    await expect(r.deferred).rejects.toThrow('boom');
    expect(mux.cancel).toHaveBeenCalledWith(r);
  });
});
