import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SequencedBatch } from '@lfsync/contracts';
import { gatewayConfigSchema } from '@lfsync/gateway';
import { LmdbSequenceLog } from '@lfsync/embedded';
import { WsTestClient, captureLogs, uniqueName } from '@lfsync/testkit';
import { describe, expect, it, onTestFinished } from 'vitest';
import { openEmbeddedStorage, startEmbedded, type Embedded } from './embedded.ts';

async function start(dataDir: string): Promise<Embedded> {
  const gatewayConfig = gatewayConfigSchema.parse({ PORT: '0', HOST: '127.0.0.1', DEV_AUTH: 'true' });
  const embedded = await startEmbedded({ dataDir, gatewayConfig, logger: captureLogs('warn').logger });
  onTestFinished(() => embedded.stop());
  return embedded;
}

async function client(embedded: Embedded): Promise<WsTestClient> {
  const ws = await WsTestClient.connect(embedded.url);
  onTestFinished(() => ws.close());
  const response = await fetch(`http://127.0.0.1:${embedded.port}/auth/dev-token`, {
    method: 'POST',
    body: JSON.stringify({ username: 'tester' }),
  });
  const { token } = (await response.json()) as { token: string };
  expect((await ws.auth(token)).type).toBe('auth_success');
  return ws;
}

const event = (id: string) => ({
  _event_id: id,
  _operation: 0 as const,
  _created_at: new Date().toISOString(),
  _data: { id },
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lfs-embedded-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('startEmbedded', () => {
  it('reports ready while its storage is open, and frees its port on stop', async () => {
    const embedded = await start(tempDir());
    const ready = await fetch(`http://127.0.0.1:${embedded.port}/readyz`);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { storage: true } });
    await embedded.stop();
    await expect(fetch(`http://127.0.0.1:${embedded.port}/readyz`)).rejects.toThrow();
  });

  it('stores after a restart what reached the log but not the store, and re-pushes get its sequences', async () => {
    const dataDir = tempDir();
    const repo = uniqueName('r');
    // The crash point "sequencer appended, then everything died": in the log, not indexed, not stored.
    const storage = openEmbeddedStorage(dataDir);
    const logged: SequencedBatch = {
      repository: repo,
      fromSequence: 1,
      toSequence: 2,
      events: [
        { ...event('e1'), serverSequence: 1 },
        { ...event('e2'), serverSequence: 2 },
      ],
    };
    expect((await new LmdbSequenceLog(storage).append(logged, 0, 'crashed-append')).kind).toBe('appended');
    await storage.close();

    const embedded = await start(dataDir);
    const reader = await client(embedded);
    await expect
      .poll(async () => (await reader.catchUp(repo, 0)).events.map((e) => [e._event_id, e.serverSequence]))
      .toEqual([
        ['e1', 1],
        ['e2', 2],
      ]);
    reader.send({ type: 'push_events_batch', repository: repo, events: [event('e2'), event('e3')] });
    expect((await reader.waitForType('ack')).sequences).toEqual({ e2: 2, e3: 3 });
  });
});
