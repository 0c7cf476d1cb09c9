// Debian's Chromium driven by playwright-core, headless and cut off from everything but loopback.
// Without /usr/bin/chromium the e2e tests fail with a clear message (scripts/setup.sh --test installs it).

import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { Test } from 'tap';

export const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic',
  '--no-first-run', '--disable-component-update', '--disable-sync'];
export const PHONE = { width: 360, height: 740 };
export const DESKTOP = { width: 1280, height: 860 };
export const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
export const SCREENSHOTS = path.join(ARTIFACTS, 'screenshots');

/** Playwright gives each launch a fresh, temporary --user-data-dir; each test account gets its own context. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: the browser tests need Debian's chromium (run scripts/setup.sh --test, or apt-get install chromium)`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
}

/** A phone-sized context, in the village's time zone, with the browser's own language English (the page must still default to Vietnamese). */
export async function phoneContext(browser: Browser, baseURL: string): Promise<BrowserContext> {
  const ctx = await browser.newContext({ baseURL, viewport: PHONE, deviceScaleFactor: 1, locale: 'en-US', timezoneId: 'Europe/London', acceptDownloads: true });
  ctx.setDefaultTimeout(15_000);
  return ctx;
}

export async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.goto('/');
  await page.locator('input[name=username]').fill(username);
  await page.locator('input[name=password]').fill(password);
  await page.locator('form.login button[type=submit]').click();
  await page.locator('header .who').waitFor();
}

/**
 * The page at phone width and at desktop width, as PNGs under test-artifacts/screenshots/; checks that
 * nothing is wider than the phone's screen (no sideways scrolling at 360 px).
 */
export async function screenshots(t: Pick<Test, 'ok'>, page: Page, name: string): Promise<string[]> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const files: string[] = [];
  for (const [suffix, size] of [['phone', PHONE], ['desktop', DESKTOP]] as const) {
    await page.setViewportSize(size);
    if (suffix === 'phone') {
      const width = await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth);
      t.ok(width <= PHONE.width, `${name}: fits a ${PHONE.width}-px screen (${width} px wide)`);
    }
    const file = path.join(SCREENSHOTS, `${name}-${suffix}.png`);
    await page.screenshot({ path: file, fullPage: true });
    files.push(file);
  }
  await page.setViewportSize(PHONE);
  return files;
}

/** Bytes a page transferred (headers and encoded bodies of finished responses) while fn ran. */
export async function transferred(page: Page, fn: () => Promise<void>): Promise<{ bytes: number; requests: Array<{ url: string; bytes: number }> }> {
  const requests: Array<{ url: string; bytes: number }> = [];
  const pending: Promise<void>[] = [];
  const on = (req: import('playwright-core').Request) => {
    pending.push(req.sizes().then((s) => { requests.push({ url: new URL(req.url()).pathname, bytes: s.responseBodySize + s.responseHeadersSize }); }));
  };
  page.on('requestfinished', on);
  await fn();
  page.off('requestfinished', on);
  await Promise.all(pending);
  return { bytes: requests.reduce((a, r) => a + r.bytes, 0), requests };
}

/** The image element has loaded and decoded a picture at least minWidth wide. */
export async function imageLoaded(img: import('playwright-core').Locator, minWidth = 1): Promise<boolean> {
  const w = await img.evaluate((el) => {
    const i = el as unknown as { complete: boolean; naturalWidth: number };
    return i.complete ? i.naturalWidth : 0;
  });
  return w >= minWidth;
}
