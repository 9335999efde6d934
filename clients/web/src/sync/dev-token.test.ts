import { describe, expect, it } from 'vitest';
import { devTokenProvider, TokenRequestError, type FetchLike } from './dev-token.ts';

function respond(status: number, body: unknown): FetchLike {
  return () => Promise.resolve(new Response(JSON.stringify(body), { status }));
}

describe('devTokenProvider', () => {
  it('posts the username to the same origin and returns the token', async () => {
    const calls: Array<[string, RequestInit]> = [];
    const fetchImpl: FetchLike = (url, init) => {
      calls.push([url, init]);
      return Promise.resolve(new Response(JSON.stringify({ token: 'jwt', expiresAt: 1 }), { status: 200 }));
    };
    await expect(devTokenProvider('alice', fetchImpl)()).resolves.toBe('jwt');
    expect(calls).toHaveLength(1);
    expect(calls[0]?.[0]).toBe('/auth/dev-token');
    expect(calls[0]?.[1]).toMatchObject({ method: 'POST', body: '{"username":"alice"}' });
  });

  it('fails with a TokenRequestError on a refusal, a bad body or a network failure', async () => {
    await expect(devTokenProvider('a', respond(404, { error: 'x' }))()).rejects.toMatchObject({
      name: 'TokenRequestError',
      status: 404,
    });
    await expect(devTokenProvider('a', respond(200, { nope: true }))()).rejects.toBeInstanceOf(
      TokenRequestError,
    );
    await expect(
      devTokenProvider('a', () => Promise.reject(new TypeError('Failed to fetch')))(),
    ).rejects.toBeInstanceOf(TokenRequestError);
  });

  it('does not send a request while the browser is offline', async () => {
    let called = false;
    const provider = devTokenProvider(
      'a',
      () => {
        called = true;
        return Promise.reject(new Error('unexpected'));
      },
      () => false,
    );
    await expect(provider()).rejects.toThrow('offline');
    expect(called).toBe(false);
  });
});
