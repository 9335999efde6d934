import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { busNames } from '@lfsync/contracts';
import { natsAuthorizationBlock } from '@lfsync/runtime';
import { ServerProcess, freePort, uniqueName, waitUntilReady } from '@lfsync/testkit';
import { afterAll, beforeAll, describe, expect, inject, it, onTestFinished } from 'vitest';
import { readiness, startConfiguredNats, type ConfiguredNats } from './nats-auth-server.ts';

const root = resolve(import.meta.dirname, '../../..');
const prefix = uniqueName('p');
const passwords = { gateway: 'gw-pass-2', sequencer: 'seq-pass-2', persister: 'per-pass-2' };
const WRONG = 'wrong-password-do-not-log';

/** A service as its own OS process (main.ts), as it runs in a container. */
async function startService(name: 'sequencer' | 'persister', env: Record<string, string>) {
  const port = await freePort();
  const service = new ServerProcess({
    name,
    command: process.execPath,
    args: ['--import', 'tsx', join(root, `services/${name}/src/main.ts`)],
    port,
    env: {
      BUS_PREFIX: prefix,
      OPS_PORT: String(port),
      LOG_LEVEL: 'info',
      MONGO_URL: inject('mongoUrl'),
      MONGO_DB: uniqueName('db'),
      MONGO_WRITE_CONCERN: String(inject('mongoWriteConcern')),
      ...env,
    },
    startTimeoutMs: 60_000,
  });
  await service.start();
  onTestFinished(() => service.stop());
  return service;
}

async function eventually(check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

const countOf = (text: string, needle: string) => text.split(needle).length - 1;

describe('services with NATS credentials (real nats-server with authorization)', () => {
  let nats: ConfiguredNats;
  beforeAll(async () => {
    nats = await startConfiguredNats(() => natsAuthorizationBlock(busNames(prefix), passwords));
  });
  afterAll(() => nats.dispose());

  it.each(['sequencer', 'persister'] as const)('%s with the right password becomes ready', async (name) => {
    const service = await startService(name, {
      NATS_URL: nats.url,
      NATS_USER: name,
      NATS_PASSWORD: passwords[name],
    });
    await waitUntilReady(`http://127.0.0.1:${service.port}`, { timeoutMs: 30_000 });
    expect(service.output()).not.toContain(passwords[name]);
  });

  it.each(['sequencer', 'persister'] as const)(
    '%s with a wrong password logs one clear error, reports not ready and keeps retrying',
    async (name) => {
      const service = await startService(name, { NATS_URL: nats.url, NATS_USER: name, NATS_PASSWORD: WRONG });
      await eventually(() => service.output().includes('nats authorization failed'));
      expect(await readiness(service.port)).toMatchObject({ status: 503, checks: { nats: false } });
      await new Promise((r) => setTimeout(r, 3_000));
      // Still running and still not ready after several retries; the error was logged once.
      expect(service.running).toBe(true);
      expect((await readiness(service.port)).status).toBe(503);
      expect(countOf(service.output(), 'nats authorization failed')).toBe(1);
      expect(service.output()).not.toContain(WRONG);
    },
  );

  it('without credentials the server refuses too (authorization is required)', async () => {
    const service = await startService('sequencer', { NATS_URL: nats.url });
    await eventually(() => service.output().includes('nats authorization failed'));
    expect((await readiness(service.port)).status).toBe(503);
  });

  it('a user without a password is a configuration error at start, naming the variables', () => {
    let stderr = '';
    try {
      execFileSync(process.execPath, ['--import', 'tsx', join(root, 'services/sequencer/src/main.ts')], {
        env: { ...process.env, NATS_URL: nats.url, NATS_USER: 'sequencer', OPS_PORT: '0' },
        stdio: 'pipe',
        timeout: 30_000,
      });
    } catch (err) {
      stderr = String((err as { stderr?: Buffer }).stderr);
    }
    expect(stderr).toContain('NATS_USER and NATS_PASSWORD must be set together');
  });
});
