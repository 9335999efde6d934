import { AppError, busNames, type BusNames } from '@lfsync/contracts';
import { natsSequencerClient } from '@lfsync/gateway';
import type { SequencerClient } from '@lfsync/ports';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { inject, onTestFinished } from 'vitest';
import { startStack, type TestStack } from '../stack.ts';

/** A padded event: `padBytes` of data make the log grow measurably. */
export function paddedEvent(id: string, padBytes = 0): Record<string, unknown> {
  return { _event_id: id, _operation: 0, _created_at: 0, _data: { id, pad: 'x'.repeat(padBytes) } };
}

export interface BusAccess {
  names: BusNames;
  nc: NatsConnection;
  jsm: JetStreamManager;
  /** Asks the stack's sequencers directly (what the gateway does), without waiting for the store. */
  sequencer: SequencerClient;
}

/**
 * The services (no gateway) on the test servers with `serviceEnv`, stopped when the test ends, and the bus
 * they run on.
 */
export async function lifecycleStack(
  serviceEnv: Record<string, string>,
): Promise<{ stack: TestStack; bus: BusAccess }> {
  const natsUrl = inject('natsUrl');
  const stack = await startStack({ natsUrl, mongoUrl: inject('mongoUrl'), gateways: 0, serviceEnv });
  onTestFinished(() => stack.stop());
  const nc = await connect({ servers: natsUrl });
  onTestFinished(() => nc.close());
  const names = busNames(stack.prefix);
  const bus = {
    names,
    nc,
    jsm: await jetstreamManager(nc),
    sequencer: natsSequencerClient(nc, names, 10_000),
  };
  return { stack, bus };
}

/** A metric's value in Prometheus text (the first series of that name), or undefined. */
export function metricValue(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The committed head of a repository in the stack's database. */
export async function storedHead(stack: TestStack, repository: string): Promise<number> {
  const head = await stack.db().collection<{ _id: string; s: number }>('heads').findOne({ _id: repository });
  return head?.s ?? 0;
}

/** Resolves with the error a refused push gives, or fails if the push is sequenced. */
export async function refusal(push: Promise<unknown>): Promise<AppError> {
  try {
    await push;
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('the push was sequenced');
}
