import { LmdbEventIndex, LmdbEventStore } from '@lfsync/embedded';
import { systemClock, type Clock } from '@lfsync/ports';
import { captureLogs, uniqueName } from '@lfsync/testkit';
import { describe, expect, it } from 'vitest';
import { openEmbeddedStorage } from './embedded.ts';
import { devClient, event, startTestEmbedded, tempDir } from './testing/embedded-test-support.ts';

const WINDOW_MS = 60_000;

/** Real time and timers, with `now` moved forward by hand: a window passes without waiting for it. */
class ShiftedClock implements Clock {
  offsetMs = 0;
  now(): number {
    return Date.now() + this.offsetMs;
  }
  schedule(delayMs: number, callback: () => void) {
    return systemClock.schedule(delayMs, callback);
  }
  sleep(delayMs: number): Promise<void> {
    return systemClock.sleep(delayMs);
  }
}

/**
 * What a stopped embedded mode's data holds: entries in the event-id index, and each stored event as
 * `<event id>@<sequence>` (the slot it fills, and its own `serverSequence` when that differs).
 */
async function storedState(dataDir: string, repository: string) {
  const env = openEmbeddedStorage(dataDir);
  try {
    const stored = await new LmdbEventStore(env).readAfter(repository, 0, 100);
    return {
      indexEntries: new LmdbEventIndex(env).size,
      stored: stored.map((e) => {
        const { _event_id, serverSequence } = JSON.parse(e.json) as {
          _event_id: string;
          serverSequence: number;
        };
        return `${_event_id}@${e.sequence}${serverSequence === e.sequence ? '' : `/${serverSequence}`}`;
      }),
    };
  } finally {
    await env.close();
  }
}

describe('embedded mode: the event-id index bounded by EVENT_INDEX_TTL_MS', () => {
  it('sweeps ids older than the window, across a restart; a re-push still gets its original sequence, stored once', async () => {
    const dataDir = tempDir();
    const clock = new ShiftedClock();
    const logs = captureLogs('debug');
    const options = { eventIndexTtlMs: WINDOW_MS, clock, logger: logs.logger };
    const repository = uniqueName('r');
    const first = await startTestEmbedded(dataDir, {}, options);
    const pusher = await devClient(first);
    pusher.send({ type: 'push_events_batch', repository, events: [event('e1'), event('e2')] });
    expect((await pusher.waitForType('ack')).sequences).toEqual({ e1: 1, e2: 2 });
    pusher.send({ type: 'push_events_batch', repository, events: [event('e3')] });
    expect((await pusher.waitForType('ack')).sequences).toEqual({ e3: 3 });
    await first.stop();
    expect(await storedState(dataDir, repository)).toEqual({
      indexEntries: 3,
      stored: ['e1@1', 'e2@2', 'e3@3'],
    });

    const second = await startTestEmbedded(dataDir, {}, options);
    clock.offsetMs += WINDOW_MS + 1_000;
    await expect
      .poll(() => logs.lines.find((l) => l['msg'] === 'expired event ids removed from the index'), {
        timeout: 10_000,
      })
      .toMatchObject({ removed: 3 });
    const client = await devClient(second);
    client.send({ type: 'push_events_batch', repository, events: [event('e1'), event('e4')] });
    expect((await client.waitForType('ack')).sequences).toEqual({ e1: 1, e4: 4 });
    await second.stop();
    // e1 was answered from the store; loading the head indexed the last batch (e3) again, as always.
    expect(await storedState(dataDir, repository)).toEqual({
      indexEntries: 2,
      stored: ['e1@1', 'e2@2', 'e3@3', 'e4@4'],
    });
  });
});
