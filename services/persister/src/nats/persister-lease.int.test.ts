import { busNames } from '@lfsync/contracts';
import { captureLogs, uniqueName } from '@lfsync/testkit';
import { jetstream } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
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

  it('survives a renewal that went through unanswered, and a take-over whose reply was lost', async () => {
    const nc = await connect({ servers: inject('natsUrl') });
    onTestFinished(() => nc.close());
    const prefix = uniqueName('p');
    const [a, b] = [await lease(nc, prefix, 'a'), await lease(nc, prefix, 'b')];
    const entries = await new Kvm(jetstream(nc)).open(busNames(prefix).leaseBucket);
    expect(await a.acquire()).toBe(true);
    const held = a.held();
    // What a renewal whose reply was lost leaves behind: the entry is a's, at a revision a never learnt.
    await entries.put('persister', 'a');
    const bAcquired = b.acquire();
    expect(await settledWithin(held, 3 * TTL_MS)).toBe(false);
    expect(await settledWithin(bAcquired, 100)).toBe(false);

    a.stop();
    await held;
    // b's create went through but its reply was lost: the entry is b's, and b must know it holds it.
    await entries.put('persister', 'b');
    expect(await settledWithin(bAcquired, 2 * TTL_MS)).toBe(true);
  });
});
