import { runAdmin } from '@lfsync/admin';
import { WsTestClient, storedEventDocuments, uniqueName } from '@lfsync/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startLoneGateway } from '../ops/gateway-ports.ts';
import { startStack, TEST_JWT_SECRET, type TestStack } from '../stack.ts';

async function admin(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runAdmin(argv, env, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

const event = (id: string) => ({
  _event_id: id,
  _operation: 0,
  _created_at: new Date().toISOString(),
  _data: { id },
});

describe('the operator CLI against real NATS and FerretDB', () => {
  let stack: TestStack;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    stack = await startStack({ natsUrl: inject('natsUrl'), mongoUrl: inject('mongoUrl') });
    env = {
      NATS_URL: inject('natsUrl'),
      BUS_PREFIX: stack.prefix,
      MONGO_URL: inject('mongoUrl'),
      MONGO_DB: stack.database,
    };
  });
  afterAll(() => stack.stop());

  it('mints a token the gateway accepts, then verifies and inspects what it pushed', async () => {
    const repo = uniqueName('r');
    const minted = await admin(['mint', '--subject', 'alice', '--read', '*', '--write', repo], {
      JWT_SECRET: TEST_JWT_SECRET,
    });
    expect(minted.code).toBe(0);
    const client = await WsTestClient.connect(stack.gatewayUrl(0));
    expect((await client.auth(minted.out[0] ?? '')).type).toBe('auth_success');
    client.send({ type: 'push_events_batch', repository: repo, events: [event('e1'), event('e2')] });
    await client.waitForType('ack');
    client.send({ type: 'push_event', repository: repo, event: event('e3') });
    await client.waitFor((f) => f.type === 'ack' && JSON.stringify(f).includes('e3'));
    await client.close();

    const verified = await admin(['verify', repo], env);
    expect(verified).toEqual({
      code: 0,
      out: [`repository ${repo}: head 3, 3 stored, 3 logged: ok`],
      err: [],
    });

    const inspected = await admin(['inspect', repo, '--last', '2'], env);
    expect(inspected.code).toBe(0);
    expect(inspected.out[0]).toBe(`repository ${repo}: head 3`);
    expect(inspected.out.slice(1).map((line) => line.split(' ')[0])).toEqual(['#2', '#3']);
    expect(inspected.out[2]).toContain('"_event_id":"e3"');
  });

  it('finds a store that disagrees with the log (exit 1)', async () => {
    const repo = uniqueName('r');
    const client = await WsTestClient.connect(stack.gatewayUrl(0));
    await client.auth(await stack.token('bob'));
    client.send({ type: 'push_events_batch', repository: repo, events: [event('a'), event('b')] });
    await client.waitForType('ack');
    await client.close();
    await storedEventDocuments(stack.db(), repo); // written after the ack
    await stack.db().collection('events').deleteOne({ r: repo, s: 1 });
    const verified = await admin(['verify', repo], env);
    expect(verified.code).toBe(1);
    expect(verified.out).toContain('problem: store: missing sequence 1');
  });

  it('answers bad input and unreachable servers with exit code 2 and a message', async () => {
    expect(await admin(['verify', 'no spaces'])).toMatchObject({ code: 2, out: [] });
    const unreachable = await admin(['inspect', 'r'], { MONGO_URL: 'mongodb://127.0.0.1:1/' });
    expect(unreachable.code).toBe(2);
    expect(unreachable.err[0]).toMatch(/^admin: cannot reach MongoDB at mongodb:\/\/127\.0\.0\.1:1\//);
    const noGateway = await admin(['drain', '--ops-url', 'http://127.0.0.1:1']);
    expect(noGateway.err[0]).toMatch(/^admin: cannot reach the gateway ops port/);
  });
});

describe('drain (POST /drain on the gateway ops port)', () => {
  it('closes the sessions with 1001, refuses new connections and turns not ready; never on the public port', async () => {
    const gateway = await startLoneGateway({ OPS_PORT: '0' });
    const ops = `http://127.0.0.1:${String(gateway.opsPort)}`;
    expect((await fetch(`http://127.0.0.1:${gateway.port}/drain`, { method: 'POST' })).status).toBe(404);
    const client = await WsTestClient.connect(gateway.url);
    expect((await client.auth(await tokenFor('carol'))).type).toBe('auth_success');

    const drained = await admin(['drain', '--ops-url', ops]);
    expect(drained).toEqual({ code: 0, out: ['{"status":"drained","sessions":1}'], err: [] });
    expect((await client.closed).code).toBe(1001);
    await expect(WsTestClient.connect(gateway.url)).rejects.toThrow();
    expect((await fetch(`${ops}/readyz`)).status).toBe(503);
    expect((await fetch(`${ops}/drain`)).status).toBe(405);
  });
});

async function tokenFor(subject: string): Promise<string> {
  const { out } = await admin(['mint', '--subject', subject, '--read', '*'], { JWT_SECRET: TEST_JWT_SECRET });
  return out[0] ?? '';
}
