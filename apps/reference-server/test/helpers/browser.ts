/**
 * Debian's Chromium through playwright-core, headless with the flags these
 * shared machines need, for the tests that check behaviour only a real
 * browser shows (CORS, the offline /docs page, the /ops pages).
 */
import { type Browser, chromium } from 'playwright-core';

/**
 * Launches `/usr/bin/chromium`; close it in `afterAll`.
 *
 * @example
 * const browser = await launchChromium();
 * const page = await browser.newPage();
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
