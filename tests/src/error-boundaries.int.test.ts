import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SYNC_CLAIM } from '@lfsync/contracts';
import { WsTestClient, freePort, uniqueName } from '@lfsync/testkit';
import { SignJWT, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startStack, type TestStack } from './stack.ts';
import { authedClient, dartEvent, storedEvents } from './support.ts';

const servers = () => ({ natsUrl: inject('natsUrl'), mongoUrl: inject('mongoUrl') });

/** An event as JSON text whose `_data` nests `depth` objects deep (`_data` itself is the first). */
function deepEvent(id: string, depth: number): string {
  const event: Record<string, unknown> = { ...dartEvent(id) };
  delete event['_data'];
  const data = '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
  return `${JSON.stringify(event).slice(0, -1)},"_data":${data}}`;
}

async function expectUnavailable(response: Response): Promise<void> {
  expect(response.status).toBe(503);
  expect(response.headers.get('retry-after')).toBe('1');
  expect(await response.json()).toMatchObject({ statusCode: 503, code: 'UNAVAILABLE', retryAfterMs: 1_000 });
}

describe('error boundaries: malformed URLs and deep nesting', () => {
  let stack: TestStack;
  beforeAll(async () => {
    const staticDir = await mkdtemp(join(tmpdir(), 'lfs-static-'));
    await writeFile(join(staticDir, 'index.html'), '<!doctype html><title>app</title>');
    stack = await startStack({ ...servers(), gatewayEnv: { STATIC_DIR: staticDir } });
  });
  afterAll(() => stack.stop());

  it.each(['/%E0', '/api/events/%E0', '/api/events/ok/%E0', '/api/events/ok/byDataId/%E0%A4'])(
    'refuses a malformed percent-encoding in %s with 400 INVALID_MESSAGE',
    async (path) => {
      const authorization = `Bearer ${await stack.token('url')}`;
      const response = await fetch(`${stack.httpUrl()}${path}`, { headers: { authorization } });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ statusCode: 400, code: 'INVALID_MESSAGE' });
    },
  );

  it('refuses an event nested 5,000 levels deep with NESTING_TOO_DEEP over WebSocket; the session lives', async () => {
    const repo = uniqueName('r');
    const client = await authedClient(stack, 0, 'deep');
    client.sendRaw(`{"type":"push_event","repository":"${repo}","event":${deepEvent('deep-ws', 5_000)}}`);
    expect(await client.waitForType('error')).toMatchObject({
      code: 'NESTING_TOO_DEEP',
      eventIds: ['deep-ws'],
      repository: repo,
    });
    const batch = `[${deepEvent('deep-b', 65)},${JSON.stringify(dartEvent('ok'))}]`;
    client.sendRaw(`{"type":"push_events_batch","repository":"${repo}","events":${batch}}`);
    expect(await client.waitForType('ack')).toMatchObject({ eventIds: ['ok'] });
    expect(await client.waitForType('error')).toMatchObject({
      code: 'NESTING_TOO_DEEP',
      eventIds: ['deep-b'],
    });
    client.sendRaw(`{"type":"push_event","repository":"${repo}","event":${deepEvent('at-limit', 64)}}`);
    expect(await client.waitForType('ack')).toMatchObject({ eventIds: ['at-limit'] });
    client.send({ type: 'ping' });
    await client.waitForType('pong');
    const stored = await storedEvents(stack.db(), repo);
    expect(stored.map((d) => d['e']).sort()).toEqual(['at-limit', 'ok']);
    await client.close();
  });

  it('refuses an event nested 5,000 levels deep with NESTING_TOO_DEEP over REST', async () => {
    const repo = uniqueName('r');
    const headers = {
      authorization: `Bearer ${await stack.token('deep')}`,
      'content-type': 'application/json',
    };
    const one = await fetch(`${stack.httpUrl()}/api/events/${repo}`, {
      method: 'POST',
      headers,
      body: deepEvent('deep-rest', 5_000),
    });
    expect(one.status).toBe(400);
    expect(await one.json()).toMatchObject({ statusCode: 400, code: 'NESTING_TOO_DEEP' });
    const batch = await fetch(`${stack.httpUrl()}/api/events/${repo}/batch`, {
      method: 'POST',
      headers,
      body: `{"events":[${deepEvent('deep-batch', 5_000)}]}`,
    });
    expect(await batch.json()).toMatchObject({ code: 'NESTING_TOO_DEEP' });
    expect(await storedEvents(stack.db(), repo)).toEqual([]);
  });
});

describe('error boundaries: the database is unreachable', () => {
  let stack: TestStack;
  beforeAll(async () => {
    const closedPort = await freePort();
    stack = await startStack({
      ...servers(),
      gatewayEnv: { MONGO_URL: `mongodb://127.0.0.1:${closedPort}/` },
    });
  });
  afterAll(() => stack.stop());

  it('answers REST reads with 503, Retry-After and UNAVAILABLE, and logs the cause', async () => {
    const authorization = `Bearer ${await stack.token('reader')}`;
    await expectUnavailable(
      await fetch(`${stack.httpUrl()}/api/events/some_repo`, { headers: { authorization } }),
    );
    const logged = stack.logs.lines.find(
      (line) => line['code'] === 'UNAVAILABLE' && line['context'] === 'rest',
    );
    expect(logged).toMatchObject({ msg: 'request failed', err: { type: 'MongoServerSelectionError' } });
  });
});

describe('error boundaries: the JWKS endpoint is unreachable', () => {
  let stack: TestStack;
  let token: string;
  beforeAll(async () => {
    const jwksUrl = `http://127.0.0.1:${await freePort()}/.well-known/jwks.json`;
    stack = await startStack({ ...servers(), gatewayEnv: { JWT_JWKS_URL: jwksUrl } });
    const { privateKey } = await generateKeyPair('RS256');
    token = await new SignJWT({ [SYNC_CLAIM]: { read: ['*'], write: ['*'] } })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setSubject('alice')
      .setExpirationTime('1h')
      .sign(privateKey);
  });
  afterAll(() => stack.stop());

  it('answers auth over WebSocket with UNAVAILABLE and closes 1013 (try again later), not INVALID_TOKEN', async () => {
    const client = await WsTestClient.connect(stack.gatewayUrl());
    expect(await client.auth(token)).toMatchObject({
      type: 'error',
      code: 'UNAVAILABLE',
      retryAfterMs: 1_000,
    });
    expect((await client.closed).code).toBe(1013);
  });

  it('answers REST with 503, Retry-After and UNAVAILABLE', async () => {
    const authorization = `Bearer ${token}`;
    await expectUnavailable(
      await fetch(`${stack.httpUrl()}/api/repositories`, { headers: { authorization } }),
    );
  });
});
