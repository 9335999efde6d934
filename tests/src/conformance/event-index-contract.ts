import type { EventIndex } from '@lfsync/ports';
import { uniqueName } from '@lfsync/testkit';
import { describe, expect, it } from 'vitest';
import type { OpenAdapter } from './harness.ts';

/** Event ids are client data: anything up to 128 characters. */
const AWKWARD_IDS = ['a.b', '$set', 'a/b+c=', 'é😀', 'with space', '\u0000nul', '*', '>', 'x'.repeat(128)];

/** What the sequencer relies on from its event-id index: the dedupe that outlives any time window. */
export function describeEventIndexContract(name: string, open: OpenAdapter<EventIndex>): void {
  describe(`EventIndex contract: ${name}`, () => {
    it('finds only the event ids it was given, with their sequences', async () => {
      const { adapter: index } = await open();
      const repo = uniqueName('r');
      expect(await index.getMany(repo, ['a', 'b'])).toEqual(new Map());
      await index.putMany(repo, [
        ['a', 1],
        ['b', 2],
      ]);
      expect(await index.getMany(repo, ['b', 'unknown', 'a'])).toEqual(
        new Map([
          ['b', 2],
          ['a', 1],
        ]),
      );
      expect(await index.getMany(repo, [])).toEqual(new Map());
      await index.putMany(repo, []);
    });

    it('round-trips awkward event ids, each distinct', async () => {
      const { adapter: index } = await open();
      const repo = uniqueName('r');
      await index.putMany(
        repo,
        AWKWARD_IDS.map((id, i) => [id, i + 1] as const),
      );
      const found = await index.getMany(repo, [...AWKWARD_IDS, 'ab', 'a']);
      expect(found).toEqual(new Map(AWKWARD_IDS.map((id, i) => [id, i + 1])));
    });

    it('looks up many ids at once (more than one batched request holds)', async () => {
      const { adapter: index } = await open();
      const repo = uniqueName('r');
      const ids = Array.from({ length: 600 }, (_, i) => `id-${i}`);
      await index.putMany(
        repo,
        ids.filter((_, i) => i % 3 !== 0).map((id, i) => [id, i + 1] as const),
      );
      const found = await index.getMany(repo, ids);
      expect(found.size).toBe(400);
      expect(found.get('id-1')).toBe(1);
      expect(found.get('id-599')).toBe(400);
      expect(found.has('id-300')).toBe(false);
    });

    it('keeps repositories apart', async () => {
      const { adapter: index } = await open();
      const [a, b] = [uniqueName('ra'), uniqueName('rb')];
      await index.putMany(a, [['same', 1]]);
      await index.putMany(b, [['same', 7]]);
      expect((await index.getMany(a, ['same'])).get('same')).toBe(1);
      expect((await index.getMany(b, ['same'])).get('same')).toBe(7);
      expect(await index.getMany(uniqueName('rc'), ['same'])).toEqual(new Map());
    });

    it('accepts the same entries again (re-indexing after a reload)', async () => {
      const { adapter: index } = await open();
      const repo = uniqueName('r');
      await index.putMany(repo, [['a', 1]]);
      await index.putMany(repo, [
        ['a', 1],
        ['b', 2],
      ]);
      expect(await index.getMany(repo, ['a', 'b'])).toEqual(
        new Map([
          ['a', 1],
          ['b', 2],
        ]),
      );
    });

    it('keeps every entry across a reopen', async () => {
      const subject = await open();
      const repo = uniqueName('r');
      await subject.adapter.putMany(repo, [
        ['a', 1],
        ['b', 2],
      ]);
      const reopened = await subject.reopen();
      expect(await reopened.getMany(repo, ['a', 'b'])).toEqual(
        new Map([
          ['a', 1],
          ['b', 2],
        ]),
      );
    });
  });
}
