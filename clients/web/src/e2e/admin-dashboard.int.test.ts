import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  adminToken,
  authedClient,
  dartEvent,
  startDashboardStack,
  type TestStack,
} from '@lfsync/system-tests';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { launchChromium, openPage, recordConsole, type ConsoleEntry } from './browser.ts';

const docs = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../docs');

describe("admin dashboard in Chromium (the gateway's /admin)", () => {
  let stack: TestStack;
  let browser: Browser;
  const consoleEntries: ConsoleEntry[] = [];

  beforeAll(async () => {
    stack = await startDashboardStack();
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  async function client(gateway: number, subject: string, repository: string, present = false) {
    const c = await authedClient(stack, gateway, subject);
    onTestFinished(() => c.close());
    c.send({ type: 'subscribe', repository, ...(present ? { presence: { meta: { subject } } } : {}) });
    await c.waitForType('subscribed');
    return c;
  }

  let pushed = 0;
  async function push(c: Awaited<ReturnType<typeof client>>, repository: string, events: number) {
    const batch = Array.from({ length: events }, () => dartEvent(`e${++pushed}`));
    c.send({ type: 'push_events_batch', repository, events: batch });
    await c.waitForType('ack');
  }

  const headOf = (page: Page, repository: string) => page.locator(`td.head[data-repository="${repository}"]`);

  it('asks for a token, refuses a non-admin one, then shows sessions and heads updating live', async () => {
    const writer = await client(0, 'writer', 'design-doc');
    await client(1, 'alice', 'design-doc', true);
    await client(1, 'bob', 'design-doc', true);
    await client(0, 'carol', 'counter_log');
    await push(writer, 'design-doc', 4);

    const { page } = await openPage(browser, stack.opsUrl(0), { width: 1280, height: 900 });
    recordConsole(page, 'admin', (entry) => consoleEntries.push(entry));
    await page.goto('/admin');
    await expect.poll(() => page.getByTestId('status').textContent()).toBe('not signed in');

    await page.fill('#token', await stack.token('alice'));
    await page.click('button[type=submit]');
    await expect.poll(() => page.getByTestId('sign-in-error').textContent()).toContain('FORBIDDEN');

    await page.fill('#token', await adminToken(stack));
    await page.click('button[type=submit]');
    await expect.poll(() => page.getByTestId('total-sessions').textContent(), { timeout: 15_000 }).toBe('4');
    expect(await page.isVisible('#sign-in')).toBe(false);
    await expect.poll(() => headOf(page, 'design-doc').textContent(), { timeout: 15_000 }).toBe('4');

    await push(writer, 'design-doc', 6);
    await expect.poll(() => headOf(page, 'design-doc').textContent(), { timeout: 15_000 }).toBe('10');

    // The token stays for the tab: a reload goes straight to the dashboard.
    await page.reload();
    await expect.poll(() => page.getByTestId('total-sessions').textContent(), { timeout: 15_000 }).toBe('4');
    // Nothing failed but the refused token's request (no CSP violation, no missing file, no exception).
    const refused = /status of 403/;
    expect(consoleEntries.filter((e) => e.type === 'error' && !refused.test(e.text))).toEqual([]);
  });

  it('takes the screenshot for the README while events flow', async () => {
    const writer = await client(0, 'writer', 'design-doc');
    const counter = await client(1, 'counter', 'counter_log', true);
    await client(1, 'dave', 'todo/alice', true);
    const outsider = await authedClient(stack, 0, 'outsider', { read: ['public'], write: [] });
    onTestFinished(() => outsider.close());
    outsider.send({ type: 'push_events_batch', repository: 'design-doc', events: [dartEvent('nope')] });
    await outsider.waitForType('error');

    const { page } = await openPage(browser, stack.opsUrl(1), { width: 1280, height: 860 });
    await page.goto('/admin');
    await page.fill('#token', await adminToken(stack));
    await page.click('button[type=submit]');
    for (let round = 0; round < 12; round++) {
      await push(writer, 'design-doc', 3);
      await push(counter, 'counter_log', 8);
      await new Promise((done) => setTimeout(done, 100));
    }
    await expect
      .poll(() => page.locator('#repositories tr').count(), { timeout: 15_000 })
      .toBeGreaterThanOrEqual(3);
    mkdirSync(docs, { recursive: true });
    await page.screenshot({ path: join(docs, 'admin-dashboard.png'), fullPage: true });
  });
});
