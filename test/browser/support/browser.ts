import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, BrowserContext, Page, chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const SCREENSHOTS = join(__dirname, '..', 'screenshots');

/** Debian's Chromium, headless, with nothing reaching out to the network by itself. */
export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `No Chromium at ${CHROMIUM}: apt-get install -y chromium, or set CHROMIUM_PATH`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
}

/** Signs in through the sign-in page; the page is left on the role's start page. */
export async function signIn(page: Page, baseUrl: string, email: string, password: string) {
  await page.goto(`${baseUrl}/web`);
  await page.fill('#email', email);
  await page.fill('#password', password);
  await Promise.all([
    page.waitForURL((url) => !url.pathname.endsWith('/sign-in')),
    page.click('form.narrow button[type=submit]'),
  ]);
}

export interface PageWeight {
  page: string;
  map: boolean;
  /** Bytes over the wire (compressed bodies and headers), as the browser counts them. */
  transferred: number;
  requests: number;
  /** Of which from the browser cache on the second visit (transfer 0). */
  secondVisit: number;
}

/**
 * Loads `url` in a fresh context (cold cache) with the given cookies and sums the transfer
 * sizes the browser reports (navigation + every resource, the map layers fetched by script
 * included); then loads it again in the same context to measure a second visit.
 */
export async function measure(
  browser: Browser,
  cookies: Awaited<ReturnType<BrowserContext['cookies']>>,
  url: string,
  name: string,
  map: boolean,
): Promise<PageWeight> {
  const context = await browser.newContext();
  await context.addCookies(cookies);
  const page = await context.newPage();
  const total = async () => {
    // Map pages fetch their layers by script: the map has drawn once they are in.
    if (map) await page.waitForSelector('.map[data-ready="true"]');
    // A string: this runs in the page, and the project's TypeScript has no DOM types.
    return (await page.evaluate(`(() => {
      const entries = [...performance.getEntriesByType('navigation'),
                       ...performance.getEntriesByType('resource')];
      return { bytes: entries.reduce((sum, e) => sum + e.transferSize, 0), requests: entries.length };
    })()`)) as { bytes: number; requests: number };
  };
  await page.goto(url);
  const first = await total();
  await page.goto(url);
  const second = await total();
  await context.close();
  return {
    page: name,
    map,
    transferred: first.bytes,
    requests: first.requests,
    secondVisit: second.bytes,
  };
}

/** A full-page screenshot at a phone's and a desktop's width. */
export async function screenshots(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  for (const width of [360, 1280]) {
    await page.setViewportSize({ width, height: width === 360 ? 740 : 900 });
    await page.waitForTimeout(300); // Leaflet re-fits the map after a resize
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-${width}.png`), fullPage: true });
  }
}

export function saveWeights(weights: PageWeight[]): void {
  mkdirSync(SCREENSHOTS, { recursive: true });
  writeFileSync(join(SCREENSHOTS, 'page-weights.json'), `${JSON.stringify(weights, null, 2)}\n`);
}
