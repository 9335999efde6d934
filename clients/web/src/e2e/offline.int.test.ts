import { storedEventDocuments } from '@lfsync/testkit';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { recordConsole, type ConsoleEntry } from './browser.ts';
import {
  badgeStatus,
  buildApp,
  counter,
  increase,
  pendingText,
  screenshots,
  signIn,
  tabRole,
  useAppStack,
  waitForOfflineReady,
  waitLive,
} from './web-app.ts';

/** Chromium's own messages about requests that fail because the network or the server is gone on purpose. */
const isExpectedNetworkFailure = (entry: ConsoleEntry): boolean =>
  /net::ERR_(INTERNET_DISCONNECTED|CONNECTION_REFUSED|FAILED)|WebSocket connection to .* failed/.test(
    entry.text,
  );

/** In the page: resolves with the time at which the global counter shows `value` (wall clock, as in the other pages). */
function valueShownAt(value: number): Promise<number> {
  const element = document.querySelector('[data-testid=global-counter]');
  return new Promise((resolve) => {
    const check = (): boolean => {
      if (element?.getAttribute('data-value') !== String(value)) return false;
      resolve(Date.now());
      return true;
    };
    if (check() || element === null) return;
    const observer = new MutationObserver(() => {
      if (check()) observer.disconnect();
    });
    observer.observe(element, { attributes: true });
  });
}

describe('web app as an installable offline app: cold open offline, tabs, updates, damaged storage', () => {
  const app = useAppStack();
  const consoleEntries: ConsoleEntry[] = [];

  async function newContext(): Promise<BrowserContext> {
    return app.browser.newContext({ baseURL: app.stack.httpUrl(), viewport: { width: 1180, height: 820 } });
  }

  async function openTab(context: BrowserContext, name: string): Promise<Page> {
    const page = await context.newPage();
    recordConsole(page, name, (entry) => consoleEntries.push(entry));
    await page.goto('/');
    return page;
  }

  async function countEvents(repository: string): Promise<{ total: number; unique: number }> {
    const docs = await storedEventDocuments(app.stack.db(), repository);
    return { total: docs.length, unique: new Set(docs.map((d): unknown => d['e'])).size };
  }

  it('opens offline after a first visit with the server gone, keeps edits across a reload and syncs them once', async () => {
    const context = await newContext();
    const first = await openTab(context, 'alice-first');
    await signIn(first, 'alice');
    await waitLive(first);
    await increase(first);
    await increase(first);
    await expect.poll(() => first.getByTestId('pending').isHidden()).toBe(true);
    await waitForOfflineReady(first);
    // What Chromium checks before it offers "Install": manifest, icons, service worker, secure context.
    const cdp = await context.newCDPSession(first);
    const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as {
      installabilityErrors: { errorId: string }[];
    };
    // Playwright's contexts are incognito-like, where Chromium never offers to install: not the app's doing.
    expect(installabilityErrors.map((e) => e.errorId).filter((id) => id !== 'in-incognito')).toEqual([]);
    await first.close();

    // No network and no server: whatever shows now comes from the service worker and IndexedDB.
    await app.stack.stopGateway(0);
    await context.setOffline(true);
    const page = await openTab(context, 'alice-offline');
    await expect.poll(() => page.getByTestId('signed-in-user').textContent()).toBe('alice');
    expect(await counter(page)).toBe(2);
    // The first attempt shows "connecting" until the browser refuses it, offline.
    await expect.poll(() => badgeStatus(page)).toBe('offline');
    for (let i = 0; i < 3; i++) await increase(page);
    expect(await counter(page)).toBe(5);
    expect(await pendingText(page)).toBe('6 changes not synced yet');
    await page.screenshot({ path: join(screenshots, 'offline-cold-open.png') });

    await page.reload();
    await expect.poll(() => counter(page)).toBe(5);
    expect(await pendingText(page)).toBe('6 changes not synced yet');

    await app.stack.startGateway(0);
    await context.setOffline(false);
    await waitLive(page, 30_000);
    await expect.poll(() => page.getByTestId('pending').isHidden()).toBe(true);
    expect(await countEvents('counter_log')).toEqual({ total: 5, unique: 5 });

    const other = await newContext();
    const bob = await openTab(other, 'bob');
    await signIn(bob, 'bob');
    await waitLive(bob);
    expect(await counter(bob)).toBe(5);
    await other.close();
    await context.close();
  }, 120_000);

  it('tabs share one queue: edits show across tabs at once, offline too, and the next tab takes over', async () => {
    const context = await newContext();
    const one = await openTab(context, 'carol-1');
    await signIn(one, 'carol');
    await waitLive(one);
    const two = await openTab(context, 'carol-2');
    await expect.poll(() => two.getByTestId('signed-in-user').textContent()).toBe('carol');
    await waitLive(two);
    expect([await tabRole(one), await tabRole(two)].sort()).toEqual(['follower', 'leader']);
    const base = await counter(one);

    // Online: how fast a click reaches the other tab, and the other browser (through the server).
    const otherContext = await newContext();
    const watcher = await openTab(otherContext, 'dan');
    await signIn(watcher, 'dan');
    await waitLive(watcher);
    const tabMs: number[] = [];
    const serverMs: number[] = [];
    for (let i = 1; i <= 10; i++) {
      const target = base + i;
      const [sender, receiver] = i % 2 === 0 ? [one, two] : [two, one];
      const seen = [receiver, watcher].map((page) => page.evaluate(valueShownAt, target));
      const clickedAt = await sender.evaluate(() => {
        const button = document.querySelector<HTMLButtonElement>('button[aria-label="Increase by 1"]');
        const at = Date.now();
        button?.click();
        return at;
      });
      const [tabAt = NaN, serverAt = NaN] = await Promise.all(seen);
      tabMs.push(tabAt - clickedAt);
      serverMs.push(serverAt - clickedAt);
    }
    const median = (values: number[]): number => [...values].sort((a, b) => a - b)[values.length >> 1] ?? NaN;
    console.log(
      `click to display, median of 10: other tab ${median(tabMs)} ms (max ${Math.max(...tabMs)}), ` +
        `other browser through the server ${median(serverMs)} ms (max ${Math.max(...serverMs)})`,
    );

    for (const page of [one, two]) await expect.poll(() => page.getByTestId('pending').isHidden()).toBe(true);

    // Offline: both tabs keep counting together.
    await context.setOffline(true);
    await expect.poll(() => badgeStatus(two), { timeout: 10_000 }).toBe('offline');
    await increase(one);
    await increase(two);
    await increase(two);
    for (const page of [one, two]) {
      await expect.poll(() => counter(page)).toBe(base + 13);
      await expect.poll(() => pendingText(page)).toBe('6 changes not synced yet');
    }
    await two.screenshot({ path: join(screenshots, 'tabs-offline.png') });

    // The leader closes with everything unsynced; the other tab takes the socket over and pushes it once.
    const leader = (await tabRole(one)) === 'leader' ? one : two;
    const follower = leader === one ? two : one;
    await leader.close();
    await expect.poll(() => tabRole(follower)).toBe('leader');
    await context.setOffline(false);
    await waitLive(follower, 30_000);
    await expect.poll(() => follower.getByTestId('pending').isHidden()).toBe(true);
    await expect.poll(() => counter(watcher)).toBe(base + 13);
    expect(await countEvents('counter_log')).toEqual({ total: 5 + 13, unique: 5 + 13 });
    await otherContext.close();
    await context.close();
  }, 120_000);

  it('a new version deployed while a tab holds unsynced changes: the user is told, reloads, nothing is lost', async () => {
    const context = await newContext();
    let blockSync = false;
    // Holds the changes back without taking the network away (the new version must still be fetchable).
    await context.routeWebSocket(/\/sync$/, (ws) => {
      if (blockSync) void ws.close({ code: 4000, reason: 'blocked by the test' });
      else ws.connectToServer();
    });
    const page = await openTab(context, 'erin');
    await signIn(page, 'erin');
    await waitLive(page);
    await waitForOfflineReady(page);
    await page.reload(); // Now controlled by the service worker, as on every later visit.
    await waitLive(page);
    expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
    await expect.poll(() => page.getByTestId('pending').isHidden()).toBe(true);
    const before = await counter(page);
    blockSync = true;
    await page.evaluate(() => window.dispatchEvent(new Event('offline')));
    await expect.poll(() => badgeStatus(page)).not.toBe('live');
    for (let i = 0; i < 2; i++) await increase(page);
    expect(await pendingText(page)).toBe('4 changes not synced yet');

    await buildApp({ outDir: app.dist, build: 'two' });
    await page.evaluate(async () => {
      const registration = await navigator.serviceWorker.getRegistration();
      await registration?.update();
    });
    const banner = page.getByTestId('update-banner');
    await banner.waitFor({ state: 'visible', timeout: 20_000 });
    await page.screenshot({ path: join(screenshots, 'update-ready.png') });
    expect(await page.locator('meta[name=app-build]').count()).toBe(0);
    await Promise.all([
      page.waitForEvent('load'),
      banner.getByRole('button', { name: 'Reload to update' }).click(),
    ]);
    await expect.poll(() => page.locator('meta[name=app-build]').getAttribute('content')).toBe('two');
    await expect.poll(() => counter(page)).toBe(before + 2);
    expect(await pendingText(page)).toBe('4 changes not synced yet');

    blockSync = false;
    await page.evaluate(() => window.dispatchEvent(new Event('online')));
    await waitLive(page, 30_000);
    await expect.poll(() => page.getByTestId('pending').isHidden()).toBe(true);
    expect(await countEvents('counter_log')).toEqual({ total: 20, unique: 20 });
    await context.close();
  }, 120_000);

  it('a damaged or foreign local database is repaired and reported, keeping readable unsynced changes', async () => {
    const context = await newContext();
    // A foreign database under the name the app will use, at a version the app does not know.
    const page = await openTab(context, 'frank');
    await page.evaluate(
      () =>
        new Promise<void>((resolve, reject) => {
          const request = indexedDB.open('lfsync-web.frank', 7);
          request.onupgradeneeded = () => request.result.createObjectStore('stuff');
          request.onsuccess = () => {
            request.result.close();
            resolve();
          };
          request.onerror = () => reject(request.error ?? new Error('open failed'));
        }),
    );
    await signIn(page, 'frank');
    await expect.poll(() => page.locator('.notice').textContent()).toContain('was repaired');
    await waitLive(page);
    // The user record the app creates once live is acknowledged: what is pending below are the clicks alone.
    await expect.poll(() => page.getByTestId('pending').isHidden()).toBe(true);

    // Offline changes, then rows of the store are damaged behind the app's back; the reload below needs
    // the app shell in the service worker's cache.
    await waitForOfflineReady(page);
    await context.setOffline(true);
    await expect.poll(() => badgeStatus(page)).toBe('offline');
    await increase(page);
    await increase(page);
    await page.evaluate(
      () =>
        new Promise<void>((resolve, reject) => {
          const request = indexedDB.open('lfsync-web.frank');
          request.onsuccess = () => {
            const tx = request.result.transaction(['records', 'pending'], 'readwrite');
            tx.objectStore('records').put({ repository: 'user', id: 'frank', version: 'half written' });
            tx.objectStore('pending').put({ event: { _event_id: 'broken' }, order: 'x' });
            tx.oncomplete = () => {
              request.result.close();
              resolve();
            };
            tx.onerror = () => reject(tx.error ?? new Error('write failed'));
          };
        }),
    );
    await page.reload();
    await expect.poll(() => page.locator('.notice').textContent()).toContain('4 unsynced changes were kept');
    expect(await page.locator('.notice').textContent()).toContain('1 unsynced change could not be read');
    expect(await pendingText(page)).toBe('4 changes not synced yet');
    await page.screenshot({ path: join(screenshots, 'storage-repaired.png') });
    await context.setOffline(false);
    await waitLive(page, 30_000);
    await expect.poll(() => page.getByTestId('pending').isHidden()).toBe(true);
    expect(await countEvents('counter_log')).toEqual({ total: 22, unique: 22 });
    await context.close();

    const unexpected = consoleEntries.filter(
      (e) =>
        (e.type === 'error' || e.type === 'warning') &&
        !isExpectedNetworkFailure(e) &&
        !e.text.includes('the data on this device was repaired'),
    );
    expect(unexpected).toEqual([]);
  }, 120_000);
});
