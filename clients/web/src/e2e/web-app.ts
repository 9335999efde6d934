import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { build, type PluginOption } from 'vite';
import { expect } from 'vitest';

const webRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const screenshots = join(webRoot, 'screenshots');

/** Builds the app into `outDir` (a new temporary directory by default); `build` marks a version in index.html. */
export async function buildApp(options: { outDir?: string; build?: string } = {}): Promise<string> {
  const outDir = options.outDir ?? mkdtempSync(join(tmpdir(), 'lfsync-web-'));
  const marker = options.build;
  const plugins: PluginOption[] =
    marker === undefined
      ? []
      : [
          {
            name: 'mark-build',
            transformIndexHtml: (html: string) =>
              html.replace('</head>', `<meta name="app-build" content="${marker}" /></head>`),
          },
        ];
  await build({
    root: webRoot,
    configFile: join(webRoot, 'vite.config.ts'),
    build: { outDir, emptyOutDir: true },
    logLevel: 'warn',
    plugins,
  });
  return outDir;
}

export const counter = async (page: Page): Promise<number> =>
  Number(await page.getByTestId('global-counter').getAttribute('data-value'));
export const badgeStatus = (page: Page): Promise<string | null> =>
  page.getByTestId('connection').getAttribute('data-status');
export const tabRole = (page: Page): Promise<string | null> =>
  page.getByTestId('connection').getAttribute('data-tab-role');
export const pendingText = (page: Page): Promise<string | null> => page.getByTestId('pending').textContent();
export const increase = (page: Page): Promise<void> =>
  page.getByRole('button', { name: 'Increase by 1' }).click();
export const waitLive = (page: Page, timeout = 20_000): Promise<void> =>
  page.locator('[data-testid=connection][data-status=live]').waitFor({ timeout });

export async function signIn(page: Page, username: string): Promise<void> {
  await page.getByLabel('Username').fill(username);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect.poll(() => page.getByTestId('signed-in-user').textContent()).toBe(username);
}

/** Waits until the service worker is active, i.e. the app shell and assets are in its cache. */
export async function waitForOfflineReady(page: Page, timeoutMs = 15_000): Promise<void> {
  const active = await page.evaluate(
    (ms) =>
      Promise.race([
        navigator.serviceWorker.ready.then((registration) => registration.active !== null),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms)),
      ]),
    timeoutMs,
  );
  expect(active, 'a service worker is active (the app can open offline)').toBe(true);
}
