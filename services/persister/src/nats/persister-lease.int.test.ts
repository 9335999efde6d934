import { busNames } from '@lfsync/contracts';
import { captureLogs, uniqueName } from '@lfsync/testkit';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import { PersisterLease } from './persister-lease.ts';

const TTL_MS = 1_000;
const logger = captureLogs('fatal').logger;

async function lease(nc: NatsConnection, prefix: string, holder: string): Promise<PersisterLease> {
  const opened = await PersisterLease.open(nc, busNames(prefix), {
    ttlMs: TTL_MS,
    replicas: 1,
    holder,
    logger,
  });
  onTestFinished(() => opened.stop());
  return opened;
}

async function settledWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return Promise.race([
    promise.then(() => true),
    new Promise<boolean>((r) => setTimeout(() => r(false), ms)),
  ]);
}

describe('persister lease', () => {
  it('is held by one replica at a time; a clean release hands it over at once', async () => {
    const nc = await connect({ servers: inject('natsUrl') });
    onTestFinished(() => nc.close());
    const prefix = uniqueName('p');
    const [a, b] = [await lease(nc, prefix, 'a'), await lease(nc, prefix, 'b')];
    expect(await a.acquire()).toBe(true);
    const held = a.held();
    const bAcquired = b.acquire();
    expect(await settledWithin(bAcquired, 2.5 * TTL_MS)).toBe(false); // renewed: never expires
    a.stop();
    await held;
    await a.release();
    expect(await settledWithin(bAcquired, TTL_MS)).toBe(true);
  });

  it('passes to a standby once the holder stops renewing, and the old holder learns it lost it', async () => {
    const nc = await connect({ servers: inject('natsUrl') });
    onTestFinished(() => nc.close());
    const prefix = uniqueName('p');
    const [a, b] = [await lease(nc, prefix, 'a'), await lease(nc, prefix, 'b')];
    expect(await a.acquire()).toBe(true);
    const started = Date.now();
    expect(await b.acquire()).toBe(true); // a never renews: as if it had crashed
    expect(Date.now() - started).toBeGreaterThanOrEqual(TTL_MS * 0.9);
    expect(await settledWithin(a.held(), 2 * TTL_MS)).toBe(true);
  });
});
