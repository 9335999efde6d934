import { uniqueName } from '@lfsync/testkit';
import { jetstream } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { describe, expect, it } from 'vitest';
import { storedEvents } from '../support.ts';
import {
  eventually,
  lifecycleStack,
  metricValue,
  paddedEvent,
  refusal,
  storedHead,
} from './lifecycle-support.ts';

const TTL_MS = 4_000;
const BOUNDED_INDEX = { EVENT_INDEX_TTL_MS: String(TTL_MS), DUPLICATE_WINDOW_MS: '1000' };

describe('bounded event-id index (EVENT_INDEX_TTL_MS)', () => {
  it('gives an id pushed again after its index entry expired its original sequence, stored once', async () => {
    const { stack, bus } = await lifecycleStack(BOUNDED_INDEX);
    const kv = await new Kvm(jetstream(bus.nc)).open(bus.names.eventIndexBucket);
    const repository = uniqueName('r');
    await bus.sequencer.sequence(repository, [paddedEvent('e1'), paddedEvent('e2')]);
    await eventually('stored', async () => ((await storedHead(stack, repository)) === 2 ? true : undefined));
    const started = Date.now();
    await eventually(
      'the index entry expired',
      async () => ((await kv.get(bus.names.eventIndexKey(repository, 'e1'))) === null ? true : undefined),
      TTL_MS * 4,
    );
    console.log(`index window: entry gone ${Date.now() - started} ms after it was stored (TTL ${TTL_MS} ms)`);

    expect(await bus.sequencer.sequence(repository, [paddedEvent('e1'), paddedEvent('e3')])).toEqual([
      { eventId: 'e1', sequence: 1, duplicate: true },
      { eventId: 'e3', sequence: 3, duplicate: false },
    ]);
    await eventually('stored', async () => ((await storedHead(stack, repository)) === 3 ? true : undefined));
    expect((await storedEvents(stack.db(), repository)).map((e) => [e.e, e.s])).toEqual([
      ['e1', 1],
      ['e2', 2],
      ['e3', 3],
    ]);
  });

  it('refuses look-ups the index may no longer answer while the persister lags near the window', async () => {
    const { stack, bus } = await lifecycleStack(BOUNDED_INDEX);
    const repository = uniqueName('r');
    await stack.stopPersister(0);
    expect(await bus.sequencer.sequence(repository, [paddedEvent('e1')])).toEqual([
      { eventId: 'e1', sequence: 1, duplicate: false },
    ]);
    // Half the window is the margin kept (clock skew, probe age): past it, a miss in the index is refused.
    await new Promise((resolve) => setTimeout(resolve, TTL_MS / 2 + 1_500));
    const error = await refusal(bus.sequencer.sequence(repository, [paddedEvent('e2')]));
    expect(error.code).toBe('UNAVAILABLE');
    expect(
      metricValue(await stack.metrics('sequencer'), 'sequencer_persister_lag_refusals_total'),
    ).toBeGreaterThanOrEqual(1);

    await stack.startPersister(0);
    await new Promise((resolve) => setTimeout(resolve, TTL_MS));
    const results = await eventually('accepted again', () =>
      bus.sequencer.sequence(repository, [paddedEvent('e1'), paddedEvent('e2')]),
    );
    expect(results).toEqual([
      { eventId: 'e1', sequence: 1, duplicate: true },
      { eventId: 'e2', sequence: 2, duplicate: false },
    ]);
  });
});
