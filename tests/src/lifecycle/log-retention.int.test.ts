import { AppError } from '@lfsync/contracts';
import { uniqueName } from '@lfsync/testkit';
import { describe, expect, it } from 'vitest';
import { storedEvents } from '../support.ts';
import { eventually, lifecycleStack, metricValue, paddedEvent, storedHead } from './lifecycle-support.ts';

const SHORT_RETENTION = {
  DUPLICATE_WINDOW_MS: '1000',
  LOG_RETENTION_MS: '1000',
  LOG_TRIM_INTERVAL_MS: '200',
};

describe('log retention (JetStream)', () => {
  it("removes stored messages past the window, keeps each repository's last, and sequencing goes on", async () => {
    const { stack, bus } = await lifecycleStack(SHORT_RETENTION);
    // Stalled while pushing: on a busy machine the pushes outlast the retention, and trimming would start
    // before the "before" size is read.
    await stack.stopPersister(0);
    const repositories = Array.from({ length: 5 }, () => uniqueName('r'));
    for (const repository of repositories)
      for (let i = 1; i <= 20; i++)
        await bus.sequencer.sequence(repository, [paddedEvent(`${repository}-${i}`, 1024)]);
    const before = (await bus.jsm.streams.info(bus.names.logStream)).state;
    expect(before.messages).toBe(100);
    await stack.startPersister(0);
    for (const repository of repositories)
      await eventually('stored', async () =>
        (await storedHead(stack, repository)) === 20 ? true : undefined,
      );
    const after = await eventually('trimmed', async () => {
      const state = (await bus.jsm.streams.info(bus.names.logStream)).state;
      return state.messages === repositories.length ? state : undefined;
    });
    console.log(
      `log retention: ${before.messages} messages / ${before.bytes} bytes → ${after.messages} / ${after.bytes}`,
    );
    expect(after.bytes).toBeLessThan(before.bytes / 10);
    for (const repository of repositories) {
      const last = await bus.jsm.streams.getMessage(bus.names.logStream, {
        last_by_subj: bus.names.logSubject(repository),
      });
      expect(last?.json<{ toSequence: number }>().toSequence).toBe(20);
    }
    const [first] = repositories as [string];
    expect(
      await bus.sequencer.sequence(first, [paddedEvent(`${first}-21`), paddedEvent(`${first}-1`)]),
    ).toEqual([
      { eventId: `${first}-21`, sequence: 21, duplicate: false },
      { eventId: `${first}-1`, sequence: 1, duplicate: true },
    ]);
    await eventually('stored', async () => ((await storedHead(stack, first)) === 21 ? true : undefined));
    expect((await storedEvents(stack.db(), first)).map((e) => e.s)).toEqual(
      Array.from({ length: 21 }, (_, i) => i + 1),
    );
    expect(
      metricValue(await stack.metrics('persister'), 'persister_log_messages_trimmed_total'),
    ).toBeGreaterThanOrEqual(95);
  });

  it('refuses appends past LOG_MAX_BYTES while the persister is stalled, loses nothing, and resumes when it drains', async () => {
    const { stack, bus } = await lifecycleStack({ ...SHORT_RETENTION, LOG_MAX_BYTES: String(64 * 1024) });
    await stack.stopPersister(0);
    const repository = uniqueName('r');
    const sequenced = new Map<string, number>();
    let refused;
    for (let i = 1; i <= 500 && refused === undefined; i++) {
      const id = `${repository}-${i}`;
      try {
        const [result] = await bus.sequencer.sequence(repository, [paddedEvent(id, 1024)]);
        sequenced.set(id, result?.sequence ?? -1);
      } catch (err) {
        refused = err;
      }
    }
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ code: 'UNAVAILABLE', retryAfterMs: 5_000 });
    const full = (await bus.jsm.streams.info(bus.names.logStream)).state;
    console.log(`log guard: refused after ${sequenced.size} appends at ${full.bytes} bytes (limit 65536)`);
    expect(full.messages).toBe(sequenced.size);
    expect(
      metricValue(await stack.metrics('sequencer'), 'sequencer_log_full_refusals_total'),
    ).toBeGreaterThanOrEqual(1);

    await stack.startPersister(0);
    const next = `${repository}-next`;
    const [resumed] = await eventually('an append accepted again', () =>
      bus.sequencer.sequence(repository, [paddedEvent(next, 1024)]),
    );
    expect(resumed).toEqual({ eventId: next, sequence: sequenced.size + 1, duplicate: false });
    await eventually('stored', async () =>
      (await storedHead(stack, repository)) === sequenced.size + 1 ? true : undefined,
    );
    const stored = await storedEvents(stack.db(), repository);
    expect(stored.map((e) => [e.e, e.s])).toEqual([...sequenced, [next, sequenced.size + 1]]);
  });
});
