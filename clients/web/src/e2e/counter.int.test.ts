import { storedEventDocuments } from '@lfsync/testkit';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DEFAULT_VIEWPORT, openPage, recordConsole, type ConsoleEntry } from './browser.ts';
import { LAYOUT_WIDTHS, findOverflows } from './layout.ts';
import { screenshots, useAppStack } from './web-app.ts';

/** Small inline pictures: nothing is fetched from the internet. */
const svgAvatar = (fill: string, face: string): string =>
  `data:image/svg+xml,${encodeURIComponent(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><circle cx="32" cy="32" r="32" fill="${fill}"/>` +
      `<circle cx="22" cy="26" r="5" fill="#fff"/><circle cx="42" cy="26" r="5" fill="#fff"/>` +
      `<path d="${face}" stroke="#fff" stroke-width="5" fill="none" stroke-linecap="round"/></svg>`,
  )}`;
const ALICE_AVATAR = svgAvatar('#e8590c', 'M18 40 Q32 52 46 40');
const BOB_AVATAR = svgAvatar('#1971c2', 'M20 44 H44');

type Phase = 'normal' | 'gateway-down';

/** Chromium's own messages about requests that failed because the gateway was down on purpose. */
const isExpectedNetworkFailure = (entry: ConsoleEntry & { phase: Phase }): boolean =>
  entry.phase === 'gateway-down' &&
  entry.type === 'error' &&
  /net::ERR_CONNECTION_REFUSED|WebSocket connection to .* failed/.test(entry.text);

describe('web app: two browsers count together, offline and back', () => {
  // Two gateways: each browser on its own, so that one of them can lose its gateway while the other stays live.
  const app = useAppStack({ gateways: 2 });
  let phase: Phase = 'normal';
  const consoleEntries: Array<ConsoleEntry & { phase: Phase }> = [];

  async function open(
    gateway: number,
    name: string,
  ): Promise<{ page: Page; setOffline(offline: boolean): Promise<void> }> {
    const { context, page } = await openPage(app.browser, app.stack.httpUrl(gateway));
    recordConsole(page, name, (entry) => consoleEntries.push({ ...entry, phase }));
    await page.goto('/');
    return { page, setOffline: (offline) => context.setOffline(offline) };
  }

  const badge = (page: Page) => page.getByTestId('connection');
  const counter = async (page: Page) =>
    Number(await page.getByTestId('global-counter').getAttribute('data-value'));
  const activityCount = async (page: Page) =>
    Number(await page.getByTestId('activity-total').getAttribute('data-count'));
  const waitLive = (page: Page, timeout = 15_000) =>
    page.locator('[data-testid=connection][data-status=live]').waitFor({ timeout });
  const increase = (page: Page) => page.getByRole('button', { name: 'Increase by 1' }).click();
  const decrease = (page: Page) => page.getByRole('button', { name: 'Decrease by 1' }).click();
  const avatarOf = (page: Page, username: string) =>
    page.locator(`[data-testid=users] li[data-username="${username}"] img`).getAttribute('src');
  const activityTexts = (page: Page) =>
    page.getByTestId('activity').locator('.activity-text').allTextContents();

  /** Screenshots show the page from the top, without hover or focus effects of the last action. */
  async function topOfPage(page: Page): Promise<void> {
    await page.mouse.move(0, 0);
    await page.evaluate(() => {
      (document.activeElement as HTMLElement | null)?.blur();
      window.scrollTo(0, 0);
    });
  }

  async function signIn(page: Page, username: string): Promise<void> {
    await page.getByLabel('Username').fill(username);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByTestId('signed-in-user').textContent()).toBe(username.trim());
  }

  async function countEvents(repository: string): Promise<{ total: number; unique: number }> {
    const docs = await storedEventDocuments(app.stack.db(), repository);
    return { total: docs.length, unique: new Set(docs.map((d): unknown => d['e'])).size };
  }

  it('syncs clicks, users and avatars live; survives going offline, losing the gateway and a reload', async () => {
    const alice = await open(0, 'alice');
    const bob = await open(1, 'bob');
    const a = alice.page;
    const b = bob.page;
    // The console recorder itself works (else "no console errors" below would prove nothing).
    await a.evaluate(() => console.error('harness check'));
    await expect
      .poll(() => consoleEntries.some((e) => e.text === 'harness check' && e.type === 'error'))
      .toBe(true);
    consoleEntries.length = 0;

    // Sign-in refuses an empty (trimmed) name with a visible message.
    await a.getByLabel('Username').fill('   ');
    await a.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => a.locator('#username-error').textContent()).toBe('Please enter a username.');
    expect(await a.getByLabel('Username').getAttribute('aria-invalid')).toBe('true');
    await a.screenshot({ path: join(screenshots, 'sign-in.png') });
    expect(await findOverflows(a)).toEqual([]);

    await signIn(a, ' alice ');
    await signIn(b, 'bob');
    await Promise.all([waitLive(a), waitLive(b)]);
    expect(await badge(a).textContent()).toContain('Live');

    // Each sees both users (the user records are created once live).
    for (const page of [a, b]) {
      await expect.poll(() => page.getByTestId('users').locator('li').count()).toBe(2);
    }

    // Clicks on both sides, by mouse and by keyboard, add up everywhere.
    for (let i = 0; i < 3; i++) await increase(a);
    await increase(b);
    await b.keyboard.press('+');
    await decrease(b);
    for (const page of [a, b]) {
      await expect.poll(() => counter(page)).toBe(4);
      await expect.poll(() => activityCount(page)).toBe(6);
    }
    expect(await activityTexts(a)).toContain('Decreased by 1 by bob');
    expect(await activityTexts(b)).toContain('Increased by 1 by alice');
    expect(await a.getByTestId('counter-detail').textContent()).toBe('This tab: +3 · All your sessions: +3');

    // Avatars: a live preview while typing, saved, and seen by the other browser.
    await a.getByLabel('Picture URL').fill(ALICE_AVATAR);
    await expect.poll(() => a.getByTestId('avatar-preview').getAttribute('src')).toBe(ALICE_AVATAR);
    await a.getByRole('button', { name: 'Save avatar' }).click();
    await b.getByLabel('Picture URL').fill(BOB_AVATAR);
    await b.getByLabel('Picture URL').press('Enter');
    await expect.poll(() => avatarOf(b, 'alice')).toBe(ALICE_AVATAR);
    await expect.poll(() => avatarOf(a, 'bob')).toBe(BOB_AVATAR);
    await expect.poll(() => a.getByTestId('pending').isHidden()).toBe(true);
    await topOfPage(a);
    await a.screenshot({ path: join(screenshots, 'home.png') });
    expect(await findOverflows(a)).toEqual([]);
    // Every control stays inside its card at every width (at 1100 px the counter's buttons once stuck out).
    for (const width of LAYOUT_WIDTHS) {
      await a.setViewportSize({ width, height: DEFAULT_VIEWPORT.height });
      await topOfPage(a);
      await a.screenshot({ path: join(screenshots, `home-${width}.png`), fullPage: true });
      expect({ width, overflows: await findOverflows(a) }).toEqual({ width, overflows: [] });
    }
    await a.setViewportSize(DEFAULT_VIEWPORT);

    // 1. The browser goes offline: the app drops the connection at once; clicks show at once and wait.
    await alice.setOffline(true);
    await expect.poll(() => badge(a).getAttribute('data-status'), { timeout: 5_000 }).toBe('offline');
    for (let i = 0; i < 4; i++) await increase(a);
    expect(await counter(a)).toBe(8);
    expect(await a.getByTestId('pending').textContent()).toBe('8 changes not synced yet');
    expect(await activityCount(a)).toBe(10);
    await topOfPage(a);
    await a.screenshot({ path: join(screenshots, 'offline.png') });
    await b.waitForTimeout(1_000);
    expect(await counter(b)).toBe(4);
    expect((await countEvents('counter_log')).total).toBe(6);
    await alice.setOffline(false);
    await waitLive(a);
    for (const page of [a, b]) {
      await expect.poll(() => counter(page)).toBe(8);
      await expect.poll(() => activityCount(page)).toBe(10);
    }
    await expect.poll(() => a.getByTestId('pending').isHidden()).toBe(true);

    // 2. Alice's gateway goes away (a real cut, no hint from the browser) while Bob's stays up.
    phase = 'gateway-down';
    await app.stack.stopGateway(0);
    await expect.poll(() => badge(a).getAttribute('data-status'), { timeout: 10_000 }).not.toBe('live');
    await decrease(a);
    await decrease(a);
    await increase(b);
    expect(await counter(a)).toBe(6);
    await expect.poll(() => counter(b)).toBe(9);
    expect(await a.getByTestId('pending').textContent()).toBe('4 changes not synced yet');
    expect(await badge(b).getAttribute('data-status')).toBe('live');
    await app.stack.startGateway(0);
    await waitLive(a, 30_000);
    phase = 'normal';
    // "Live" means caught up: Bob's click made while Alice was cut off is already in.
    expect(await counter(a)).toBe(7);
    await expect.poll(() => counter(b)).toBe(7);
    for (const page of [a, b]) await expect.poll(() => activityCount(page)).toBe(13);
    expect(await activityTexts(a)).toEqual(await activityTexts(b));
    expect(await countEvents('counter_log')).toEqual({ total: 13, unique: 13 });

    // 3. A reload keeps Alice signed in, with her state, before the connection is even back.
    await a.reload();
    await expect.poll(() => a.getByTestId('signed-in-user').textContent()).toBe('alice');
    expect(await counter(a)).toBe(7);
    expect(await activityCount(a)).toBe(13);
    expect(await avatarOf(a, 'alice')).toBe(ALICE_AVATAR);
    await waitLive(a);
    expect(await counter(a)).toBe(7);
    // The same session record is reused after the reload: still no more than one per open tab.
    expect(await a.getByTestId('counter-detail').textContent()).toBe('This tab: +5 · All your sessions: +5');
    await increase(a);
    for (const page of [a, b]) await expect.poll(() => counter(page)).toBe(8);

    await b.setViewportSize({ width: 390, height: 844 });
    await topOfPage(b);
    await b.screenshot({ path: join(screenshots, 'mobile.png') });
    expect(await findOverflows(b)).toEqual([]);

    // Signing out forgets the user: a reload shows the sign-in screen.
    await a.getByRole('button', { name: 'Sign out' }).click();
    await a.getByLabel('Username').waitFor();
    await a.reload();
    await a.getByLabel('Username').waitFor();

    const unexpected = consoleEntries.filter(
      (e) => (e.type === 'error' || e.type === 'warning') && !isExpectedNetworkFailure(e),
    );
    expect(unexpected).toEqual([]);
  }, 180_000);
});
