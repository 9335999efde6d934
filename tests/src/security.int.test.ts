import { SYNC_CLAIM } from '@lfsync/contracts';
import { WsTestClient, uniqueName } from '@lfsync/testkit';
import { SignJWT, exportSPKI, generateKeyPair } from 'jose';
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import { TEST_JWT_SECRET, startStack, type StackOptions } from './stack.ts';
import { authedClient, dartEvent } from './support.ts';

const claim = { [SYNC_CLAIM]: { read: ['*'], write: ['*'] } };

async function stackWith(
  gatewayEnv: NonNullable<StackOptions['gatewayEnv']>,
  logLevel?: StackOptions['logLevel'],
) {
  const stack = await startStack({
    natsUrl: inject('natsUrl'),
    mongoUrl: inject('mongoUrl'),
    gatewayEnv,
    ...(logLevel ? { logLevel } : {}),
  });
  onTestFinished(() => stack.stop());
  return stack;
}

async function authReply(url: string, token: string) {
  const client = await WsTestClient.connect(url);
  const reply = await client.auth(token);
  await client.close();
  return reply;
}

describe('security', () => {
  it('checks issuer and audience when configured', async () => {
    const stack = await stackWith({ JWT_ISSUER: 'https://issuer.example', JWT_AUDIENCE: 'sync' });
    const secret = new TextEncoder().encode(TEST_JWT_SECRET);
    const sign = (iss?: string, aud?: string) => {
      let jwt = new SignJWT(claim)
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('x')
        .setExpirationTime('1h');
      if (iss !== undefined) jwt = jwt.setIssuer(iss);
      if (aud !== undefined) jwt = jwt.setAudience(aud);
      return jwt.sign(secret);
    };
    expect(await authReply(stack.gatewayUrl(), await sign('https://issuer.example', 'sync'))).toMatchObject({
      type: 'auth_success',
    });
    expect(await authReply(stack.gatewayUrl(), await sign('https://evil.example', 'sync'))).toMatchObject({
      code: 'INVALID_TOKEN',
    });
    expect(await authReply(stack.gatewayUrl(), await sign('https://issuer.example', 'other'))).toMatchObject({
      code: 'INVALID_TOKEN',
    });
    expect(await authReply(stack.gatewayUrl(), await sign())).toMatchObject({ code: 'INVALID_TOKEN' });
  });

  it('verifies RS256 with a public key and refuses the HS256-with-the-public-key confusion', async () => {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    const pem = await exportSPKI(publicKey);
    const stack = await stackWith({ JWT_PUBLIC_KEY: pem });
    const good = await new SignJWT(claim)
      .setProtectedHeader({ alg: 'RS256' })
      .setSubject('x')
      .setExpirationTime('1h')
      .sign(privateKey);
    expect(await authReply(stack.gatewayUrl(), good)).toMatchObject({ type: 'auth_success' });
    const confused = await new SignJWT(claim)
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('x')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(pem));
    expect(await authReply(stack.gatewayUrl(), confused)).toMatchObject({ code: 'INVALID_TOKEN' });
  });

  it('refuses WebSocket upgrades from origins outside the allowlist', async () => {
    const stack = await stackWith({ ALLOWED_ORIGINS: 'https://app.example, http://localhost:5173' });
    await expect(
      WsTestClient.connect(stack.gatewayUrl(), { origin: 'https://evil.example' }),
    ).rejects.toThrow(/403/);
    const allowed = await WsTestClient.connect(stack.gatewayUrl(), { origin: 'https://app.example' });
    await allowed.close();
    const native = await WsTestClient.connect(stack.gatewayUrl());
    await native.close();
  });

  it('caps connections per IP', async () => {
    const stack = await stackWith({ MAX_CONNECTIONS_PER_IP: '3' });
    const open = await Promise.all([1, 2, 3].map(() => WsTestClient.connect(stack.gatewayUrl())));
    await expect(WsTestClient.connect(stack.gatewayUrl())).rejects.toThrow(/503/);
    await open[0]?.close();
    await expect
      .poll(async () =>
        WsTestClient.connect(stack.gatewayUrl()).then(
          (c) => (void c.close(), true),
          () => false,
        ),
      )
      .toBe(true);
    await Promise.all(open.map((c) => c.close()));
  });

  it('caps unacknowledged events per session', async () => {
    const stack = await stackWith({ MAX_PENDING_ACKS: '5', MAX_BATCH_EVENTS: '10' });
    const client = await authedClient(stack, 0, 'greedy');
    const repo = uniqueName('r');
    client.send({
      type: 'push_events_batch',
      repository: repo,
      events: Array.from({ length: 6 }, (_, i) => dartEvent(`g${i}`)),
    });
    expect(await client.waitForType('error')).toMatchObject({
      code: 'TOO_MANY_PENDING',
      retryAfterMs: expect.any(Number),
    });
    await client.close();
  });

  it('never writes tokens to the logs', async () => {
    const stack = await stackWith({}, 'debug');
    const token = await stack.token('logged');
    const client = await WsTestClient.connect(stack.gatewayUrl());
    await client.auth(token);
    client.send({ type: 'auth', Authorization: `Bearer ${token}` });
    await client.waitForType('auth_success');
    await client.auth('forged.token.value');
    await fetch(`${stack.httpUrl()}/api/repositories`, { headers: { authorization: `Bearer ${token}` } });
    expect(stack.logs.lines.length).toBeGreaterThan(0);
    expect(stack.logs.text()).not.toContain(token);
    expect(stack.logs.text()).not.toContain('forged.token.value');
    expect(stack.logs.text()).not.toContain(TEST_JWT_SECRET);
  });

  it('exposes the metrics an operator needs', async () => {
    const stack = await stackWith({});
    const client = await authedClient(stack, 0, 'm');
    client.send({ type: 'push_event', repository: uniqueName('r'), event: dartEvent('m1') });
    await client.waitForType('ack');
    client.sendRaw('nope');
    await client.waitForType('error');
    const text = await (await fetch(`${stack.httpUrl()}/metrics`)).text();
    for (const name of [
      'gateway_connections',
      'gateway_authenticated_sessions',
      'gateway_events_pushed_total',
      'gateway_events_acked_total',
      'gateway_push_ack_duration_seconds_bucket',
      'gateway_broadcast_frames_total',
      'gateway_broadcast_lag_seconds_bucket',
      'gateway_rejections_total{code="INVALID_MESSAGE"}',
      'process_resident_memory_bytes',
    ]) {
      expect(text).toContain(name);
    }
    await client.close();
  });
});
