import { busNames } from '@lfsync/contracts';
import { captureLogs, startNatsServer, uniqueName } from '@lfsync/testkit';
import { connect } from '@nats-io/transport-node';
import { describe, expect, it, onTestFinished } from 'vitest';
import { startSequencer } from './app.ts';
import { sequencerConfigSchema } from './config.ts';

const counter = (metrics: string, name: string) =>
  Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(metrics)?.[1] ?? Number.NaN);

describe('the sequencer service', () => {
  it('answers repeated event ids with their first sequence and counts sequenced and repeated events', async () => {
    const nats = await startNatsServer();
    onTestFinished(() => nats.dispose());
    const prefix = uniqueName('p');
    const config = sequencerConfigSchema.parse({ NATS_URL: nats.url, BUS_PREFIX: prefix, OPS_PORT: '0' });
    const sequencer = await startSequencer(config, captureLogs('fatal').logger);
    onTestFinished(() => sequencer.stop());
    const nc = await connect({ servers: nats.url });
    onTestFinished(() => nc.close());
    const sequence = async (ids: string[]) =>
      (
        await nc.request(
          busNames(prefix).sequenceSubject,
          JSON.stringify({ repository: 'r', events: ids.map((id) => ({ _event_id: id })) }),
          { timeout: 10_000 },
        )
      ).json();

    expect(await sequence(['a', 'b'])).toMatchObject({
      ok: true,
      results: [{ sequence: 1 }, { sequence: 2 }],
    });
    expect(await sequence(['b', 'c', 'c'])).toEqual({
      ok: true,
      results: [
        { eventId: 'b', sequence: 2, duplicate: true },
        { eventId: 'c', sequence: 3, duplicate: false },
        { eventId: 'c', sequence: 3, duplicate: true },
      ],
    });
    const metrics = await (await fetch(`http://127.0.0.1:${sequencer.opsPort}/metrics`)).text();
    expect(counter(metrics, 'sequencer_events_sequenced_total')).toBe(3);
    expect(counter(metrics, 'sequencer_duplicate_events_total')).toBe(2);
  });
});
