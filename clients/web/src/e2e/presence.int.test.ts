import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { openPage, recordConsole, type ConsoleEntry } from './browser.ts';
import { signIn, tabRole, useAppStack, waitLive } from './web-app.ts';

const POLL = { timeout: 20_000, interval: 100 };

describe('web app: who is online (presence) in the users panel', () => {
  const app = useAppStack({ gateways: 2 });
  const consoleEntries: ConsoleEntry[] = [];

  /** A browser of its own (an isolated context), on one of the two gateways. */
  async function openBrowser(
    gateway: number,
    name: string,
  ): Promise<{ context: BrowserContext; page: Page }> {
    const opened = await openPage(app.browser, app.stack.httpUrl(gateway));
    recordConsole(opened.page, name, (entry) => consoleEntries.push(entry));
    await opened.page.goto('/');
    return opened;
  }

  const row = (page: Page, username: string) =>
    page.locator(`[data-testid=users] li[data-username="${username}"]`);
  const onlineState = async (page: Page, username: string): Promise<string | null> =>
    (await row(page, username).count()) === 0 ? 'absent' : row(page, username).getAttribute('data-online');

  it("user B appears online in A's panel when B opens the app, and goes offline when B closes it", async () => {
    const alice = await openBrowser(0, 'alice');
    await signIn(alice.page, 'alice');
    await waitLive(alice.page);
    await expect.poll(() => onlineState(alice.page, 'alice'), POLL).toBe('true');
    expect(await onlineState(alice.page, 'bob')).toBe('absent');

    const bob = await openBrowser(1, 'bob');
    await signIn(bob.page, 'bob');
    await waitLive(bob.page);
    await expect.poll(() => onlineState(alice.page, 'bob'), POLL).toBe('true');
    await expect.poll(() => onlineState(bob.page, 'alice'), POLL).toBe('true');
    await expect.poll(() => alice.page.getByTestId('users-count').textContent(), POLL).toBe('(2, 2 online)');
    expect(await row(alice.page, 'bob').locator('.presence-dot').getAttribute('aria-label')).toBe('online');

    // B closes the app (its browser): A sees B go offline; B stays listed (its user record remains).
    await bob.context.close();
    await expect.poll(() => onlineState(alice.page, 'bob'), POLL).toBe('false');
    await expect.poll(() => alice.page.getByTestId('users-count').textContent(), POLL).toBe('(2, 1 online)');

    // B comes back: online again.
    const bobAgain = await openBrowser(1, 'bob-again');
    await signIn(bobAgain.page, 'bob');
    await waitLive(bobAgain.page);
    await expect.poll(() => onlineState(alice.page, 'bob'), POLL).toBe('true');
    await bobAgain.context.close();
    await alice.context.close();

    const problems = consoleEntries.filter((entry) => entry.type === 'error' || entry.kind === 'pageerror');
    expect(problems).toEqual([]);
  });

  it("a follower tab shows who is online through the leader tab's socket, also after the leader tab closes", async () => {
    const carol = await openBrowser(0, 'carol-tab-1');
    await signIn(carol.page, 'carol');
    await waitLive(carol.page);
    // A second tab of the same browser: it follows the first one, which holds the only socket.
    const follower = await carol.context.newPage();
    recordConsole(follower, 'carol-tab-2', (entry) => consoleEntries.push(entry));
    await follower.goto('/');
    await expect.poll(() => follower.getByTestId('signed-in-user').textContent(), POLL).toBe('carol');
    await expect.poll(() => tabRole(follower), POLL).toBe('follower');
    await waitLive(follower);
    await expect.poll(() => onlineState(follower, 'carol'), POLL).toBe('true');

    const dave = await openBrowser(1, 'dave');
    await signIn(dave.page, 'dave');
    await waitLive(dave.page);
    await expect.poll(() => onlineState(follower, 'dave'), POLL).toBe('true');
    await expect.poll(() => onlineState(dave.page, 'carol'), POLL).toBe('true');

    // The leader tab closes: the follower takes the socket over and joins again; both still see each other.
    await carol.page.close();
    await expect.poll(() => tabRole(follower), POLL).toBe('leader');
    await waitLive(follower);
    await expect.poll(() => onlineState(follower, 'dave'), POLL).toBe('true');
    await expect.poll(() => onlineState(dave.page, 'carol'), POLL).toBe('true');

    await dave.context.close();
    await expect.poll(() => onlineState(follower, 'dave'), POLL).toBe('false');
    await carol.context.close();

    const problems = consoleEntries.filter((entry) => entry.type === 'error' || entry.kind === 'pageerror');
    expect(problems).toEqual([]);
  });
});
