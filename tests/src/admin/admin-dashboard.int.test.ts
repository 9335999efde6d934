import { WsTestClient, uniqueName } from '@lfsync/testkit';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { TestStack } from '../stack.ts';
import { authedClient, dartEvent } from '../support.ts';
import { adminToken, startDashboardStack } from './dashboard-stack.ts';

interface View {
  totals: { gateways: number; sessions: number };
  gateways: Array<{ sessions: number }>;
  repositories: Array<{ repository: string; head: number | null; subscribers: number; presence: number }>;
  persisterLag: number | null;
  persisters: Array<{ active: boolean; eventsStored: number }>;
  sequencers: unknown[];
  sequencerQueue: { requestsInFlight: number; queuedEvents: number };
  rejections: Array<{ code: string; recent: number; total: number }>;
}

describe('the admin dashboard (/admin on the ops port)', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startDashboardStack();
  });
  afterAll(() => stack.stop());

  const stats = (index: number, token?: string) =>
    fetch(`${stack.opsUrl(index)}/admin/stats`, {
      headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    });

  /** Polls `/admin/stats` until `done` holds for its view (the reports come every 200 ms). */
  async function viewWhen(index: number, done: (view: View) => boolean): Promise<View> {
    const token = await adminToken(stack);
    let last: View | undefined;
    for (const deadline = Date.now() + 15_000; Date.now() < deadline;) {
      last = (await (await stats(index, token)).json()) as View;
      if (done(last)) return last;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`the dashboard never got there; last view: ${JSON.stringify(last)}`);
  }

  it('refuses a missing, bad or non-admin token with 401/403 and stable codes; serves the page', async () => {
    const missing = await stats(0);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer');
    expect(await missing.json()).toMatchObject({ code: 'NOT_AUTHENTICATED', statusCode: 401 });
    expect(await (await stats(0, 'not-a-jwt')).json()).toMatchObject({ code: 'INVALID_TOKEN' });
    const expired = await stack.token('ops', {}, { expiresInSec: -60, roles: ['admin'] });
    expect(await (await stats(0, expired)).json()).toMatchObject({ code: 'TOKEN_EXPIRED' });
    const user = await stats(0, await stack.token('alice', { read: ['*'], write: ['*'] }));
    expect(user.status).toBe(403);
    expect(await user.json()).toMatchObject({ code: 'FORBIDDEN', statusCode: 403 });
    const editor = await stats(0, await stack.token('bob', {}, { roles: ['editor'] }));
    expect(editor.status).toBe(403);

    const page = await fetch(`${stack.opsUrl(0)}/admin`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).toContain('Admin token');
    // Never on the public port.
    expect((await fetch(`${stack.httpUrl(0)}/admin/stats`)).status).toBe(404);
    expect((await fetch(`${stack.opsUrl(0)}/admin/stats`, { method: 'POST' })).status).toBe(405);
  });

  it('counts sessions per gateway, heads, subscribers, presence, the pipeline and rejections', async () => {
    const repo = uniqueName('doc');
    const writer = await authedClient(stack, 0, 'writer');
    onTestFinished(() => writer.close());
    writer.send({ type: 'subscribe', repository: repo });
    await writer.waitForType('subscribed');
    const watchers: WsTestClient[] = [];
    for (const name of ['w1', 'w2']) {
      const watcher = await authedClient(stack, 1, name);
      onTestFinished(() => watcher.close());
      watcher.send({ type: 'subscribe', repository: repo, presence: { meta: { name } } });
      await watcher.waitForType('presence');
      watchers.push(watcher);
    }
    for (let i = 0; i < 5; i++) {
      writer.send({
        type: 'push_events_batch',
        repository: repo,
        events: [0, 1].map((j) => dartEvent(`e${i}-${j}`)),
      });
      await writer.waitForType('ack');
    }
    const reader = await authedClient(stack, 0, 'reader', { read: ['elsewhere'], write: [] });
    onTestFinished(() => reader.close());
    reader.send({ type: 'push_events_batch', repository: repo, events: [dartEvent('refused')] });
    expect(await reader.waitForType('error')).toMatchObject({ code: 'FORBIDDEN' });

    // Either gateway's dashboard sees the whole deployment.
    for (const index of [0, 1]) {
      const view = await viewWhen(index, (v) => {
        const r = v.repositories.find((x) => x.repository === repo);
        // Stats are snapshots sent every interval: one taken while the last push was sequenced still counts it.
        const idle = v.sequencerQueue.requestsInFlight === 0 && v.sequencerQueue.queuedEvents === 0;
        return (
          r?.head === 10 && r.subscribers === 3 && v.totals.sessions === 4 && v.persisterLag === 0 && idle
        );
      });
      expect(view.totals.gateways).toBe(2);
      expect(view.gateways.map((g) => g.sessions).sort()).toEqual([2, 2]);
      expect(view.repositories.find((r) => r.repository === repo)).toMatchObject({ head: 10, presence: 2 });
      expect(view.persisters).toEqual([expect.objectContaining({ active: true })]);
      expect(view.persisters[0]?.eventsStored).toBeGreaterThanOrEqual(10);
      expect(view.sequencers).toHaveLength(1);
      expect(view.sequencerQueue).toEqual({ requestsInFlight: 0, queuedEvents: 0 });
      expect(view.rejections).toContainEqual({ code: 'FORBIDDEN', recent: 1, total: 1 });
    }

    // The sessions of a gateway that closes leave its count.
    for (const watcher of watchers) await watcher.close();
    await viewWhen(0, (v) => v.totals.sessions === 2);
  });
});
