import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startStack, type TestStack } from '@lfsync/system-tests';
import type { Browser, Page } from 'playwright-core';
import { build, type PluginOption } from 'vite';
import { afterAll, afterEach, beforeAll, expect, inject } from 'vitest';
import { launchChromium } from './browser.ts';

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

export interface AppStack {
  readonly stack: TestStack;
  readonly browser: Browser;
  /** Where the app was built: the gateways serve it (STATIC_DIR). */
  readonly dist: string;
}

/**
 * For the describe block that calls it: a fresh build of the app (into a temporary directory, so never
 * stale and the developer's dist is untouched), a stack whose gateways serve it with development tokens,
 * and Chromium; all torn down after the block.
 */
export function useAppStack(options: { gateways?: number } = {}): AppStack {
  const state: Partial<{ -readonly [K in keyof AppStack]: AppStack[K] }> = {};
  beforeAll(async () => {
    const dist = (state.dist = await buildApp());
    state.stack = await startStack({
      natsUrl: inject('natsUrl'),
      mongoUrl: inject('mongoUrl'),
      ...(options.gateways === undefined ? {} : { gateways: options.gateways }),
      gatewayEnv: { STATIC_DIR: dist, DEV_AUTH: 'true' },
    });
    state.browser = await launchChromium();
    mkdirSync(screenshots, { recursive: true });
  }, 120_000);
  // A test that stops a gateway and then fails must not leave the next tests without a server.
  afterEach(async () => {
    for (let index = 0; index < (options.gateways ?? 1); index++) await state.stack?.startGateway(index);
  });
  afterAll(async () => {
    await state.browser?.close();
    await state.stack?.stop();
    if (state.dist !== undefined) rmSync(state.dist, { recursive: true, force: true });
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useAppStack: used before its beforeAll ran');
    return value;
  };
  return {
    get stack() {
      return started(state.stack);
    },
    get browser() {
      return started(state.browser);
    },
    get dist() {
      return started(state.dist);
    },
  };
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
