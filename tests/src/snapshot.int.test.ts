import { dataIdOf, isDelete, type ServerEvent } from '@lfsync/contracts';
import { uniqueName, type WsTestClient } from '@lfsync/testkit';
import { describe, expect, it, onTestFinished } from 'vitest';
import { useStack } from './use-stack.ts';
import { authedClient } from './support.ts';

/** The state a client reaches by applying events in the order given: entity → its data, deletes removed. */
function stateOf(events: readonly ServerEvent[]): Record<string, unknown> {
  const state: Record<string, unknown> = {};
  for (const event of events) {
    const id = dataIdOf(event);
    if (id === undefined) continue;
    if (isDelete(event._operation)) delete state[id];
    else state[id] = event._data;
  }
  return state;
}

interface SnapshotReply {
  pages: ServerEvent[][];
  sequence: number;
  count: number;
  tail: ServerEvent[];
  lastSequence: number | undefined;
}

/** Sends `request_snapshot` and collects its pages, `snapshot_complete`, the tail and `sync_complete`. */
async function requestSnapshot(
  client: WsTestClient,
  repository: string,
  extra: Record<string, unknown> = {},
): Promise<SnapshotReply> {
  client.send({ type: 'request_snapshot', repository, ...extra });
  const reply: SnapshotReply = { pages: [], sequence: -1, count: -1, tail: [], lastSequence: undefined };
  for (;;) {
    const frame = await client.waitFor(
      (f) => 'repository' in f && f.repository === repository && f.type !== 'unsubscribed',
      30_000,
    );
    if (frame.type === 'error') throw new Error(`snapshot refused: ${JSON.stringify(frame)}`);
    if (frame.type === 'snapshot') {
      reply.pages.push(frame.events);
      reply.sequence = frame.sequence;
    }
    if (frame.type === 'snapshot_complete') {
      reply.sequence = frame.sequence;
      reply.count = frame.count;
    }
    if (frame.type === 'events') reply.tail.push(...frame.events);
    if (frame.type === 'sync_complete') {
      reply.lastSequence = frame.lastSequence;
      return reply;
    }
  }
}

describe('state snapshots (I8): WebSocket and REST', () => {
  const stack = useStack({ gateways: 2 });

  async function client(gateway: number, subject: string, claim?: { read?: string[]; write?: string[] }) {
    const c = await authedClient(stack(), gateway, subject, claim);
    onTestFinished(() => c.close());
    return c;
  }

  let counter = 0;
  function version(entity: string, operation: 0 | 1 | 2, data: Record<string, unknown> = {}) {
    counter += 1;
    const base = { _event_id: `v${counter}`, _operation: operation, _created_at: counter, _data_id: entity };
    return operation === 2 ? base : { ...base, _data: { id: entity, ...data } };
  }

  async function pushAcked(
    writer: WsTestClient,
    repository: string,
    events: ReadonlyArray<{ _event_id: string }>,
  ) {
    writer.send({ type: 'push_events_batch', repository, events });
    await writer.waitForType('ack', (a) => a.eventIds.includes(events[0]?._event_id ?? ''));
  }

  /** Pushes `versions` rounds over `entities` entities, then deletes every fifth; resolves once acked. */
  async function fill(writer: WsTestClient, repository: string, entities: number, versions: number) {
    for (let round = 0; round < versions; round++) {
      const events = Array.from({ length: entities }, (_, i) =>
        version(`ent-${i}`, round === 0 ? 0 : 1, { round }),
      );
      await pushAcked(writer, repository, events);
    }
    const deletes = Array.from({ length: Math.ceil(entities / 5) }, (_, i) => version(`ent-${i * 5}`, 2));
    await pushAcked(writer, repository, deletes);
  }

  it('sends the latest event per entity at S in pages, then every event after S once, racing commits', async () => {
    const repository = uniqueName('state');
    const writer = await client(0, 'writer');
    await fill(writer, repository, 20, 5);
    const reader = await client(1, 'reader');
    const racing = fill(writer, repository, 20, 2);
    const reply = await requestSnapshot(reader, repository, { limit: 7 });
    await racing;

    const snapshot = reply.pages.flat();
    expect(reply.pages.every((page) => page.length <= 7)).toBe(true);
    expect(snapshot).toHaveLength(reply.count);
    expect(new Set(snapshot.map((e) => dataIdOf(e))).size).toBe(20);
    expect(snapshot.every((e) => e.serverSequence <= reply.sequence)).toBe(true);
    // S falls between whole batches: after the first fill (104) or the racing one (148) every fifth entity
    // is deleted; after the racing fill's inserts (124) or updates (144) none is.
    expect([104, 124, 144, 148]).toContain(reply.sequence);
    const deletes = [104, 148].includes(reply.sequence) ? 4 : 0;
    expect(snapshot.filter((e) => isDelete(e._operation))).toHaveLength(deletes);
    const tailSequences = reply.tail.map((e) => e.serverSequence);
    expect(tailSequences).toEqual(tailSequences.map((_, i) => reply.sequence + 1 + i));
    expect(reply.lastSequence).toBe(reply.sequence + reply.tail.length);

    // Live events after sync_complete continue the sequence, once each; the state is a replay's (I8).
    const head = 20 * 7 + 8;
    await expect.poll(() => reader.eventsOf(repository).at(-1)?.serverSequence).toBe(head);
    const received = [...reply.tail.map((e) => e.serverSequence), ...liveAfter(reader, repository, reply)];
    expect(received).toEqual(Array.from({ length: head - reply.sequence }, (_, i) => reply.sequence + 1 + i));
    const replay = await (await client(0, 'replayer')).catchUp(repository, 0);
    const live = reader.eventsOf(repository).filter((e) => e.serverSequence > (reply.lastSequence ?? 0));
    expect(stateOf([...snapshot, ...reply.tail, ...live])).toEqual(stateOf(replay.events));
  });

  it('answers with the log from 1 when the log is not minRatio times longer than the state', async () => {
    const repository = uniqueName('log');
    const writer = await client(0, 'writer');
    await fill(writer, repository, 10, 1);
    const reader = await client(0, 'reader');
    const reply = await requestSnapshot(reader, repository, { minRatio: 2 });
    expect(reply.pages).toEqual([]);
    expect(reply.tail.map((e) => e.serverSequence)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    const worth = await requestSnapshot(reader, repository, { minRatio: 1.1 });
    expect(worth.count).toBe(10);
  });

  it('refuses a repository the token may not read, and bad requests, with a code', async () => {
    const reader = await client(0, 'limited', { read: ['mine'] });
    reader.send({ type: 'request_snapshot', repository: 'theirs' });
    expect(await reader.waitForType('error')).toMatchObject({ code: 'FORBIDDEN', repository: 'theirs' });
    reader.send({ type: 'request_snapshot', repository: 'a.b' });
    expect(await reader.waitForType('error')).toMatchObject({ code: 'INVALID_REPOSITORY' });
    reader.send({ type: 'request_snapshot', repository: 'mine', minRatio: 0 });
    expect(await reader.waitForType('error')).toMatchObject({ code: 'INVALID_MESSAGE' });
  });

  it('REST: pages of the state at a fixed S, then the log after S; refusals with codes', async () => {
    const repository = uniqueName('rest');
    const writer = await client(0, 'writer');
    await fill(writer, repository, 12, 3);
    const token = await stack().token('reader', { read: [repository] });
    const get = (path: string, bearer: string | null = token) =>
      fetch(
        `${stack().httpUrl(1)}${path}`,
        bearer === null ? {} : { headers: { authorization: `Bearer ${bearer}` } },
      );
    interface Page {
      sequence: number;
      events: ServerEvent[];
      hasMore: boolean;
      next?: string;
    }
    const first = (await (await get(`/api/snapshot/${repository}?limit=5`)).json()) as Page;
    expect(first.sequence).toBe(12 * 3 + 3);
    await fill(writer, repository, 12, 1);
    const pages = [first];
    for (let page = first; page.hasMore;) {
      const after = encodeURIComponent(page.next ?? '');
      page = (await (
        await get(`/api/snapshot/${repository}?limit=5&at=${first.sequence}&after=${after}`)
      ).json()) as Page;
      expect(page.sequence).toBe(first.sequence);
      pages.push(page);
    }
    const snapshot = pages.flatMap((p) => p.events);
    expect(snapshot).toHaveLength(12);
    const tail = (await (await get(`/api/events/${repository}?seq=${first.sequence}`)).json()) as Page;
    const replay = (await (await get(`/api/events/${repository}?seq=0`)).json()) as Page;
    expect(stateOf([...snapshot, ...tail.events])).toEqual(stateOf(replay.events));

    expect((await get(`/api/snapshot/${repository}?at=999999`)).status).toBe(400);
    expect((await get(`/api/snapshot/${repository}?limit=x`)).status).toBe(400);
    expect((await get(`/api/snapshot/${repository}`, null)).status).toBe(401);
    expect((await get(`/api/snapshot/${uniqueName('other')}`)).status).toBe(403);
  });
});

/** Sequences of live `events` frames that arrived after the snapshot's `sync_complete`. */
function liveAfter(client: WsTestClient, repository: string, reply: SnapshotReply): number[] {
  const last = reply.lastSequence ?? 0;
  return client
    .eventsOf(repository)
    .map((e) => e.serverSequence)
    .filter((s) => s > last);
}
