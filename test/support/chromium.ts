/**
 * Debian's Chromium driven by playwright-core, launched one way for the browser tests and the
 * page benchmark alike.
 */
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium (what .ci/run installs), or the one CHROMIUM_PATH names. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}
