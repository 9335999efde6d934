import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JsonFileStorage, StorageFileError } from './json-file-storage.ts';
import type { StorageChanges } from './sync-storage.ts';

let directory: string;
afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

async function freshPath(): Promise<string> {
  directory = await mkdtemp(join(tmpdir(), 'lfsync-client-'));
  return join(directory, 'nested', 'state.json');
}

const change: StorageChanges = {
  records: [
    {
      repository: 'todo',
      id: 'a',
      version: { eventId: 'e0', createdAt: '2025-01-01T00:00:00.000Z', data: { v: 1 }, serverSequence: 1 },
    },
  ],
  cursors: { todo: 1 },
  putPending: [
    {
      order: 1,
      repository: 'todo',
      event: {
        _event_id: 'e1',
        _operation: 0,
        _created_at: '2025-01-01T00:00:01.000Z',
        _data_id: 'b',
        _data: { v: 2 },
      },
    },
    {
      order: 2,
      repository: 'todo',
      event: { _event_id: 'e2', _operation: 2, _created_at: '2025-01-01T00:00:02.000Z', _data_id: 'a' },
      ackedSequence: 9,
    },
  ],
  deletePending: [],
};

describe('JsonFileStorage', () => {
  it('starts empty when the file does not exist', async () => {
    expect(await new JsonFileStorage(await freshPath()).load()).toEqual({
      records: [],
      cursors: {},
      pending: [],
    });
  });

  it('round-trips records, cursors and the queue across instances (a restart)', async () => {
    const path = await freshPath();
    const writer = new JsonFileStorage(path);
    await writer.load();
    await writer.apply(change);
    await writer.apply({ records: [], cursors: { todo: 2 }, putPending: [], deletePending: ['e1'] });
    const state = await new JsonFileStorage(path).load();
    expect(state.cursors).toEqual({ todo: 2 });
    expect(state.records).toEqual(change.records);
    expect(state.pending).toEqual([change.putPending[1]]);
  });

  it('writes through a temporary file and a rename, leaving no temporary file behind', async () => {
    const path = await freshPath();
    const storage = new JsonFileStorage(path);
    await storage.apply(change);
    expect(await readdir(join(directory, 'nested'))).toEqual(['state.json']);
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({
      format: 1,
      state: { cursors: { todo: 1 } },
    });
  });

  it('refuses a corrupt or foreign file instead of starting over silently', async () => {
    const path = await freshPath();
    await new JsonFileStorage(path).apply(change);
    await writeFile(path, '{"format":1,"state":{"records":"nope"}}');
    await expect(new JsonFileStorage(path).load()).rejects.toBeInstanceOf(StorageFileError);
    await writeFile(path, '{"format":1,"sta');
    await expect(new JsonFileStorage(path).load()).rejects.toBeInstanceOf(StorageFileError);
  });
});
