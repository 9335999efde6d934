import type { SequenceLog } from '@lfsync/ports';
import { uniqueName } from '@lfsync/testkit';
import { describe, expect, it } from 'vitest';
import { batch } from './events.ts';
import type { OpenAdapter } from './harness.ts';

/** What the sequencer relies on from its log (docs/architecture.md, "The write path"). */
export function describeSequenceLogContract(name: string, open: OpenAdapter<SequenceLog>): void {
  describe(`SequenceLog contract: ${name}`, () => {
    it('starts every repository empty: sequence 0, version 0, no last batch', async () => {
      const { adapter: log } = await open();
      expect(await log.head(uniqueName('r'))).toEqual({
        head: { sequence: 0, version: 0 },
        lastBatch: undefined,
      });
    });

    it('appends at the expected version and reports the new head with its last batch', async () => {
      const { adapter: log } = await open();
      const repo = uniqueName('r');
      const first = batch(repo, 1, ['a', 'b']);
      const appended = await log.append(first, 0, uniqueName('append'));
      expect(appended.kind).toBe('appended');
      const v1 = appended.kind === 'appended' ? appended.version : 0;
      expect(v1).toBeGreaterThan(0);
      expect(await log.head(repo)).toEqual({ head: { sequence: 2, version: v1 }, lastBatch: first });

      const second = batch(repo, 3, ['c']);
      const next = await log.append(second, v1, uniqueName('append'));
      expect(next.kind).toBe('appended');
      const v2 = next.kind === 'appended' ? next.version : 0;
      expect(v2).toBeGreaterThan(v1);
      expect(await log.head(repo)).toEqual({ head: { sequence: 3, version: v2 }, lastBatch: second });
    });

    it('refuses an append whose expected version is stale (optimistic concurrency)', async () => {
      const { adapter: log } = await open();
      const repo = uniqueName('r');
      const first = await log.append(batch(repo, 1, ['a']), 0, uniqueName('append'));
      const v1 = first.kind === 'appended' ? first.version : -1;
      expect(await log.append(batch(repo, 1, ['b']), 0, uniqueName('append'))).toEqual({ kind: 'conflict' });
      const second = await log.append(batch(repo, 2, ['c']), v1, uniqueName('append'));
      expect(second.kind).toBe('appended');
      expect(await log.append(batch(repo, 3, ['d']), v1, uniqueName('append'))).toEqual({ kind: 'conflict' });
      expect(await log.append(batch(repo, 3, ['e']), v1 + 1_000_000, uniqueName('append'))).toEqual({
        kind: 'conflict',
      });
      expect((await log.head(repo)).head.sequence).toBe(2);
    });

    it('lets exactly one of several racing appends at the same version through', async () => {
      const { adapter: log } = await open();
      const repo = uniqueName('r');
      const outcomes = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          log.append(batch(repo, 1, [`racer${i}`]), 0, uniqueName('append')),
        ),
      );
      expect(outcomes.filter((o) => o.kind === 'appended')).toHaveLength(1);
      expect(outcomes.filter((o) => o.kind === 'conflict')).toHaveLength(7);
      const winner = outcomes.findIndex((o) => o.kind === 'appended');
      const { head, lastBatch } = await log.head(repo);
      expect(head.sequence).toBe(1);
      expect(lastBatch?.events[0]?._event_id).toBe(`racer${winner}`);
    });

    it('versions each repository on its own: appends elsewhere do not conflict', async () => {
      const { adapter: log } = await open();
      const [a, b] = [uniqueName('ra'), uniqueName('rb')];
      const inA = await log.append(batch(a, 1, ['a1']), 0, uniqueName('append'));
      expect(inA.kind).toBe('appended');
      expect((await log.append(batch(b, 1, ['b1']), 0, uniqueName('append'))).kind).toBe('appended');
      const vA = inA.kind === 'appended' ? inA.version : -1;
      expect((await log.append(batch(a, 2, ['a2']), vA, uniqueName('append'))).kind).toBe('appended');
      expect((await log.head(a)).head.sequence).toBe(2);
      expect((await log.head(b)).head.sequence).toBe(1);
    });

    it('answers a repeated append id with what the first append stored, never appending it twice', async () => {
      const { adapter: log } = await open();
      const repo = uniqueName('r');
      const appendId = uniqueName('append');
      const original = batch(repo, 1, ['a', 'b']);
      const first = await log.append(original, 0, appendId);
      const v1 = first.kind === 'appended' ? first.version : -1;
      // A retry after a lost reply, at the version the log has now (even for another slot).
      expect(await log.append(batch(repo, 3, ['a', 'b']), v1, appendId)).toEqual({
        kind: 'duplicate',
        version: v1,
        batch: original,
      });
      // A retry at its original, now stale version: NATS 2.9 answers duplicate, 2.12 conflict. Either way the
      // sequencer learns the events' sequences (the index, after reloading the head); never a second copy.
      const retried = await log.append(original, 0, appendId);
      expect([{ kind: 'conflict' }, { kind: 'duplicate', version: v1, batch: original }]).toContainEqual(
        retried,
      );
      expect(await log.head(repo)).toEqual({ head: { sequence: 2, version: v1 }, lastBatch: original });
    });

    it('keeps the log, the heads and the append ids across a reopen', async () => {
      const subject = await open();
      const repo = uniqueName('r');
      const appendId = uniqueName('append');
      const first = batch(repo, 1, ['a']);
      const second = batch(repo, 2, ['b', 'c']);
      const v1 = await subject.adapter.append(first, 0, appendId);
      const v2 = await subject.adapter.append(
        second,
        v1.kind === 'appended' ? v1.version : -1,
        uniqueName('append'),
      );
      const version = v2.kind === 'appended' ? v2.version : -1;

      const reopened = await subject.reopen();
      expect(await reopened.head(repo)).toEqual({ head: { sequence: 3, version }, lastBatch: second });
      expect(await reopened.append(first, version, appendId)).toMatchObject({
        kind: 'duplicate',
        batch: first,
      });
      expect(
        await reopened.append(
          batch(repo, 4, ['d']),
          v1.kind === 'appended' ? v1.version : -1,
          uniqueName('x'),
        ),
      ).toEqual({ kind: 'conflict' });
      expect((await reopened.append(batch(repo, 4, ['d']), version, uniqueName('append'))).kind).toBe(
        'appended',
      );
    });
  });
}
