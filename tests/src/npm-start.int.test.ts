import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { WsTestClient, freePort, uniqueName, waitUntilReady } from '@lfsync/testkit';
import { describe, expect, it, onTestFinished } from 'vitest';
import { dartEvent } from './support.ts';

const root = resolve(import.meta.dirname, '../..');

async function npmStart(dataDir: string, port: number): Promise<ChildProcess> {
  const child = spawn('npm', ['start'], {
    cwd: root,
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      PORT: String(port),
      LOG_LEVEL: 'warn',
      NATS_URL: '',
      MONGO_URL: '',
    },
    stdio: 'ignore',
    detached: true,
  });
  await waitUntilReady(`http://127.0.0.1:${port}`);
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  process.kill(-(child.pid as number), 'SIGTERM');
  await exited;
}

describe('npm start', () => {
  it('runs the whole system on a fresh data dir, syncs two clients, and keeps the data across a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lfs-start-'));
    onTestFinished(() => rmSync(dataDir, { recursive: true, force: true }));
    // The env empties NATS_URL/MONGO_URL: the script must start its own servers.
    const port = await freePort();
    const repo = uniqueName('counter');
    let child = await npmStart(dataDir, port);
    onTestFinished(() => stop(child));

    const alice = await WsTestClient.connectAsDevUser(port, 'alice');
    const bob = await WsTestClient.connectAsDevUser(port, 'bob');
    await bob.catchUp(repo);
    alice.send({ type: 'push_events_batch', repository: repo, events: [dartEvent('a1'), dartEvent('a2')] });
    await alice.waitForType('ack');
    await expect.poll(() => bob.eventsOf(repo).map((e) => e._event_id)).toEqual(['a1', 'a2']);
    await Promise.all([alice.close(), bob.close()]);

    await stop(child);
    // Another port: fetch keeps the last server's connection alive, and may send on it before it sees it closed.
    const restartedPort = await freePort();
    child = await npmStart(dataDir, restartedPort);
    const later = await WsTestClient.connectAsDevUser(restartedPort, 'carol');
    const { events } = await later.catchUp(repo, 0);
    expect(events.map((e) => [e._event_id, e.serverSequence])).toEqual([
      ['a1', 1],
      ['a2', 2],
    ]);
    later.send({ type: 'push_event', repository: repo, event: dartEvent('c3') });
    expect((await later.waitForType('ack')).sequences).toEqual({ c3: 3 });
    await later.close();
  }, 180_000);
});
