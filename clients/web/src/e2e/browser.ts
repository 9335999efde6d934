import { existsSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromium } from 'playwright-core';

const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/** Debian's Chromium, headless (playwright cannot download its own browser here). */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `no Chromium at ${CHROMIUM_PATH}: run scripts/ensure-test-tools.sh (or set CHROMIUM_PATH)`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

export interface ConsoleEntry {
  readonly page: string;
  readonly kind: 'console' | 'pageerror';
  readonly type: string;
  readonly text: string;
}

/**
 * Every console message of `page` (all levels, Chromium's own network messages included) and every uncaught
 * exception.
 */
export function recordConsole(page: Page, name: string, onEntry: (entry: ConsoleEntry) => void): void {
  page.on('console', (message) =>
    onEntry({ page: name, kind: 'console', type: message.type(), text: message.text() }),
  );
  page.on('pageerror', (error) =>
    onEntry({ page: name, kind: 'pageerror', type: 'error', text: String(error) }),
  );
}

export const DEFAULT_VIEWPORT = { width: 1180, height: 820 } as const;

/** Opens a page of a fresh, isolated context (its own storage, like another browser). */
export async function openPage(
  browser: Browser,
  baseURL: string,
  viewport: { width: number; height: number } = DEFAULT_VIEWPORT,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL, viewport });
  const page = await context.newPage();
  return { context, page };
}
