import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { WsTestClient, freePort, uniqueName, waitUntilReady } from '@lfsync/testkit';
import { describe, expect, it, onTestFinished } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');

/** `npm start` in embedded mode without the npm wrapper, so SIGKILL hits the very process that holds the data. */
async function startProcess(dataDir: string, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/server/src/main.ts'], {
    cwd: root,
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      PORT: String(port),
      LOG_LEVEL: 'warn',
      NATS_URL: '',
      MONGO_URL: '',
      // No web app: a SIGKILL must not orphan a web build.
      STATIC_DIR: join(dataDir, 'no-web-app'),
    },
    stdio: 'ignore',
  });
  onTestFinished(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  await waitUntilReady(`http://127.0.0.1:${port}`, {
    intervalMs: 100,
    exited: () => (child.exitCode === null ? undefined : `embedded process exited with ${child.exitCode}`),
  });
  return child;
}

async function kill9(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

async function client(port: number): Promise<WsTestClient> {
  const ws = await WsTestClient.connectAsDevUser(port, 'crash-tester');
  onTestFinished(() => ws.terminate());
  return ws;
}

const event = (id: string) => ({
  _event_id: id,
  _operation: 0,
  _created_at: new Date().toISOString(),
  _data: { id },
});

function ackedSequences(ws: WsTestClient): Map<string, number> {
  const acked = new Map<string, number>();
  for (const frame of ws.frames.filter((f) => f.type === 'ack')) {
    for (const [id, sequence] of Object.entries(frame.sequences)) acked.set(id, sequence);
  }
  return acked;
}

describe('embedded mode under kill -9', () => {
  it('loses no acknowledged event and keeps the sequence gapless and unique (I1, I2, I4)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lfs-crash-'));
    onTestFinished(() => rmSync(dataDir, { recursive: true, force: true }));
    const port = await freePort();
    const repo = uniqueName('r');
    let child = await startProcess(dataDir, port);

    const pusher = await client(port);
    const sent: string[] = [];
    const pushBatch = () => {
      const ids = Array.from({ length: 5 }, (_, i) => `b${sent.length / 5}-${i}`);
      sent.push(...ids);
      pusher.send({ type: 'push_events_batch', repository: repo, events: ids.map(event) });
    };
    // 20 pushes up front and one more per ack, so pushes are in flight when the 10th ack triggers the kill.
    for (let i = 0; i < 20; i++) pushBatch();
    for (let acks = 0; acks < 10; acks++) {
      await pusher.waitForType('ack', 30_000);
      pushBatch();
    }
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    const acked = ackedSequences(pusher);

    child = await startProcess(dataDir, port);
    const reader = await client(port);
    const { events } = await reader.catchUp(repo, 0);
    const stored = new Map(events.map((e) => [e._event_id, e.serverSequence]));
    expect(events.map((e) => e.serverSequence)).toEqual(events.map((_, i) => i + 1));
    expect(stored.size).toBe(events.length);
    for (const [id, sequence] of acked) expect(stored.get(id)).toBe(sequence);

    // Clients re-send what was not acknowledged (and may re-send the rest): each event keeps one sequence.
    for (let i = 0; i < sent.length; i += 100) {
      reader.send({ type: 'push_events_batch', repository: repo, events: sent.slice(i, i + 100).map(event) });
    }
    await expect.poll(() => ackedSequences(reader).size, { timeout: 15_000 }).toBe(sent.length);
    const final = ackedSequences(reader);
    for (const [id, sequence] of stored) expect(final.get(id)).toBe(sequence);
    expect([...final.values()].sort((a, b) => a - b)).toEqual(sent.map((_, i) => i + 1));
    const { events: all } = await (await client(port)).catchUp(repo, 0);
    expect(all.map((e) => e.serverSequence)).toEqual(sent.map((_, i) => i + 1));
    expect(new Set(all.map((e) => e._event_id))).toEqual(new Set(sent));
    await kill9(child);
  }, 120_000);
});
