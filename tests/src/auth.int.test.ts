import { SYNC_CLAIM } from '@lfsync/contracts';
import { WsTestClient, uniqueName } from '@lfsync/testkit';
import { SignJWT, generateKeyPair, exportSPKI, UnsecuredJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { TEST_JWT_SECRET } from './stack.ts';
import { useStack } from './use-stack.ts';
import { authedClient, dartEvent, storedEvents } from './support.ts';

const secret = new TextEncoder().encode(TEST_JWT_SECRET);
const claim = { [SYNC_CLAIM]: { read: ['*'], write: ['*'] } };

describe('auth', () => {
  const stack = useStack({ gatewayEnv: { AUTH_TIMEOUT_MS: '1500' } });

  async function refused(token: string | undefined, extra: Record<string, unknown> = {}) {
    const client = await WsTestClient.connect(stack().gatewayUrl());
    const reply = await client.auth(token, extra);
    const closed = await client.closed;
    return { reply, closed };
  }

  async function storedCount(repo: string): Promise<number> {
    return (await storedEvents(stack().db(), repo)).length;
  }

  it('accepts the Dart client auth with its headers spread into the frame', async () => {
    const client = await WsTestClient.connect(stack().gatewayUrl());
    const reply = await client.auth(undefined, {
      Authorization: `Bearer ${await stack().token('dart')}`,
      'X-Client': 'flutter',
    });
    expect(reply).toMatchObject({
      type: 'auth_success',
      sessionId: expect.any(String),
      expiresAt: expect.any(Number),
    });
    await client.close();
  });

  it.each([
    ['no token', () => Promise.resolve(undefined), 'INVALID_TOKEN'],
    ['garbage', () => Promise.resolve('not.a.jwt'), 'INVALID_TOKEN'],
    [
      'expired',
      async () =>
        new SignJWT(claim)
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject('x')
          .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
          .sign(secret),
      'TOKEN_EXPIRED',
    ],
    [
      'not yet valid',
      async () =>
        new SignJWT(claim)
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject('x')
          .setNotBefore(Math.floor(Date.now() / 1000) + 600)
          .sign(secret),
      'INVALID_TOKEN',
    ],
    [
      'wrong signature',
      async () =>
        new SignJWT(claim)
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject('x')
          .sign(new TextEncoder().encode('another-secret-another-secret-another')),
      'INVALID_TOKEN',
    ],
    ['alg none', () => Promise.resolve(new UnsecuredJWT(claim).setSubject('x').encode()), 'INVALID_TOKEN'],
    [
      'tampered payload',
      async () => {
        const [h, , s] = (await stack().token('x', { read: ['a'], write: ['a'] })).split('.');
        const payload = Buffer.from(
          JSON.stringify({ sub: 'x', [SYNC_CLAIM]: { read: ['*'], write: ['*'] } }),
        ).toString('base64url');
        return `${h}.${payload}.${s}`;
      },
      'INVALID_TOKEN',
    ],
    [
      'RS256 token against the HS256 gateway',
      async () => {
        const { privateKey } = await generateKeyPair('RS256');
        return new SignJWT(claim).setProtectedHeader({ alg: 'RS256' }).setSubject('x').sign(privateKey);
      },
      'INVALID_TOKEN',
    ],
    [
      'no subject',
      async () => new SignJWT(claim).setProtectedHeader({ alg: 'HS256' }).sign(secret),
      'INVALID_TOKEN',
    ],
  ])('refuses %s with its code and closes 4401', async (_name, makeToken, code) => {
    const { reply, closed } = await refused(await makeToken());
    expect(reply).toMatchObject({ type: 'error', code });
    expect(closed.code).toBe(4401);
  });

  it('refuses pushes and reads before auth, stores nothing, and closes after the auth timeout', async () => {
    const repo = uniqueName('r');
    const client = await WsTestClient.connect(stack().gatewayUrl());
    client.send({ type: 'ping' });
    await client.waitForType('pong');
    client.send({ type: 'push_event', repository: repo, event: dartEvent('e1') });
    expect(await client.waitForType('error')).toMatchObject({ code: 'NOT_AUTHENTICATED', eventIds: ['e1'] });
    client.send({ type: 'request_events', repository: repo, afterSequence: 0 });
    expect(await client.waitForType('error')).toMatchObject({ code: 'NOT_AUTHENTICATED' });
    const closed = await client.closed;
    expect(closed.code).toBe(4401);
    expect(client.frames.find((f) => f.type === 'error' && f.code === 'AUTH_TIMEOUT')).toBeDefined();
    expect(await storedCount(repo)).toBe(0);
  });

  it('enforces per-repository claims on write, read and broadcast', async () => {
    const [a, b] = [uniqueName('a'), uniqueName('b')];
    const writer = await authedClient(stack(), 0, 'admin');
    const limited = await WsTestClient.connect(stack().gatewayUrl());
    await limited.auth(await stack().token('limited', { read: [a], write: [a] }));
    await limited.catchUp(a);

    limited.send({ type: 'push_event', repository: b, event: dartEvent('nope') });
    expect(await limited.waitForType('error')).toMatchObject({
      code: 'FORBIDDEN',
      eventIds: ['nope'],
      repository: b,
    });
    limited.send({ type: 'request_events', repository: b, afterSequence: 0 });
    expect(await limited.waitForType('error')).toMatchObject({ code: 'FORBIDDEN', repository: b });

    writer.send({ type: 'push_event', repository: b, event: dartEvent('secret') });
    await writer.waitForType('ack');
    writer.send({ type: 'push_event', repository: a, event: dartEvent('public') });
    await writer.waitForType('ack');
    await expect.poll(() => limited.eventsOf(a).length).toBe(1);
    expect(limited.frames.some((f) => f.type === 'events' && f.repository === b)).toBe(false);
    expect(await storedCount(b)).toBe(1);
    await Promise.all([writer.close(), limited.close()]);
  });

  it('takes a refreshed token on a live connection, and a session whose token expires loses access', async () => {
    const repo = uniqueName('r');
    const client = await WsTestClient.connect(stack().gatewayUrl());
    expect((await client.auth(await stack().token('short', {}, { expiresInSec: 2 }))).type).toBe(
      'auth_success',
    );
    expect(await client.waitForType('error', (f) => f.code === 'TOKEN_EXPIRED', 5_000)).toBeDefined();
    client.send({ type: 'push_event', repository: repo, event: dartEvent('late') });
    expect(await client.waitForType('error', (f) => f.code === 'NOT_AUTHENTICATED')).toMatchObject({
      eventIds: ['late'],
    });
    expect((await client.auth(await stack().token('short'))).type).toBe('auth_success');
    client.send({ type: 'push_event', repository: repo, event: dartEvent('again') });
    expect(await client.waitForType('ack')).toMatchObject({ eventIds: ['again'] });
    expect(await storedCount(repo)).toBe(1);
    await client.close();
  });

  it('applies the same rules on REST', async () => {
    const repo = uniqueName('r');
    const url = `${stack().httpUrl()}/api/events/${repo}`;
    const post = (token: string | undefined, body: unknown) =>
      fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        },
        body: JSON.stringify(body),
      });
    const noToken = await post(undefined, dartEvent('r1'));
    expect(noToken.status).toBe(401);
    expect(await noToken.json()).toMatchObject({
      statusCode: 401,
      code: 'NOT_AUTHENTICATED',
      error: expect.any(String),
    });
    const forbidden = await post(
      await stack().token('x', { read: ['*'], write: ['other'] }),
      dartEvent('r1'),
    );
    expect(forbidden.status).toBe(403);
    const readForbidden = await fetch(url, {
      headers: { authorization: `Bearer ${await stack().token('x', { read: ['other'] })}` },
    });
    expect(readForbidden.status).toBe(403);
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    expect(await exportSPKI(publicKey)).toContain('PUBLIC KEY');
    const wrongAlg = await post(
      await new SignJWT(claim).setProtectedHeader({ alg: 'RS256' }).setSubject('x').sign(privateKey),
      dartEvent('r1'),
    );
    expect(wrongAlg.status).toBe(401);
    expect(await storedCount(repo)).toBe(0);
  });
});
