import { storedEventDocuments } from '@lfsync/testkit';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium, recordConsole, type ConsoleEntry } from '@lfsync/web/testing/browser';
import { startStack, type TestStack } from '@lfsync/system-tests';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const todoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const clientRoot = resolve(todoRoot, '../../libs/client');
const screenshots = resolve(todoRoot, '../web/screenshots');

describe('to-do example on the built SDK package', () => {
  let stack: TestStack;
  let browser: Browser;
  let dist: string;
  const consoleEntries: ConsoleEntry[] = [];

  beforeAll(async () => {
    // The SDK as another app gets it: JavaScript and declarations from `npm run build`, not the sources.
    execFileSync('npm', ['run', 'build'], { cwd: clientRoot, stdio: 'pipe' });
    dist = mkdtempSync(join(tmpdir(), 'lfsync-todo-'));
    await build({
      root: todoRoot,
      configFile: false,
      resolve: { alias: { '@lfsync/client': join(clientRoot, 'dist/index.js') } },
      build: { outDir: dist, emptyOutDir: true, target: 'es2022' },
      logLevel: 'warn',
    });
    stack = await startStack({
      natsUrl: inject('natsUrl'),
      mongoUrl: inject('mongoUrl'),
      gatewayEnv: { STATIC_DIR: dist, DEV_AUTH: 'true' },
    });
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    if (dist !== undefined) rmSync(dist, { recursive: true, force: true });
  });

  async function open(context: BrowserContext, name: string): Promise<Page> {
    const page = await context.newPage();
    recordConsole(page, name, (entry) => consoleEntries.push(entry));
    await page.goto('/?user=ann');
    return page;
  }
  const titles = (page: Page) => page.locator('#todos li span').allTextContents();
  const status = (page: Page) => page.locator('#status').getAttribute('data-status');
  const add = async (page: Page, title: string) => {
    await page.getByPlaceholder('What needs doing?').fill(title);
    await page.getByRole('button', { name: 'Add' }).click();
  };

  it('adds, completes and deletes to-dos across tabs and browsers, offline too', async () => {
    const laptop = await browser.newContext({ baseURL: stack.httpUrl() });
    const tab1 = await open(laptop, 'tab1');
    const tab2 = await open(laptop, 'tab2');
    await expect.poll(() => status(tab1)).toBe('live');
    await expect.poll(() => status(tab2)).toBe('live');
    await add(tab1, 'milk');
    await add(tab2, 'bread');
    for (const page of [tab1, tab2]) await expect.poll(() => titles(page)).toEqual(['milk', 'bread']);
    await tab2.getByLabel('Done: milk').check();
    await expect.poll(() => tab1.getByLabel('Done: milk').isChecked()).toBe(true);

    await laptop.setOffline(true);
    await add(tab1, 'eggs');
    await expect.poll(() => titles(tab2)).toEqual(['milk', 'bread', 'eggs']);
    await tab2.getByRole('button', { name: 'Delete bread' }).click();
    await expect.poll(() => titles(tab1)).toEqual(['milk', 'eggs']);
    await laptop.setOffline(false);
    await expect.poll(() => status(tab1), { timeout: 20_000 }).toBe('live');
    await expect.poll(() => tab1.locator('#status').textContent()).toBe('ann: live');
    await tab1.screenshot({ path: join(screenshots, 'todo.png') });

    // Another device of the same user gets the same list from the server.
    const phone = await browser.newContext({ baseURL: stack.httpUrl() });
    const other = await open(phone, 'phone');
    await expect.poll(() => titles(other)).toEqual(['milk', 'eggs']);
    expect(await other.getByLabel('Done: milk').isChecked()).toBe(true);
    const docs = await storedEventDocuments(stack.db(), 'todo');
    expect(docs).toHaveLength(5); // milk, bread, milk done, eggs, bread deleted: each once
    await phone.close();
    await laptop.close();

    const problems = consoleEntries.filter(
      (e) =>
        (e.type === 'error' || e.type === 'warning') &&
        !/net::ERR_INTERNET_DISCONNECTED|WebSocket connection to .* failed/.test(e.text),
    );
    expect(problems).toEqual([]);
  }, 120_000);
});
