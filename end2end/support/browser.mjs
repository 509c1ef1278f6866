// Headless Chromium from the system (Debian's `chromium`), driven by playwright-core. No
// browser is ever downloaded.

import { chromium } from 'playwright-core';

/** Launches Chromium; set CHROMIUM_PATH to use another build. */
export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      // Without these Chromium keeps calling home, which only fails in a closed network.
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * A fresh browser profile (its own cookies) with one page, and short timeouts so a missing
 * element fails the test quickly instead of hanging.
 *
 * @param {import('playwright-core').Browser} browser
 * @param {import('playwright-core').BrowserContextOptions} [options]
 */
export async function newPage(browser, options = {}) {
  const context = await browser.newContext(options);
  context.setDefaultTimeout(10_000);
  context.setDefaultNavigationTimeout(20_000);
  const page = await context.newPage();
  return { context, page };
}

/**
 * Collects uncaught exceptions and console errors from `page`, the signs of a failed
 * hydration.
 *
 * @param {import('playwright-core').Page} page
 * @returns {string[]} filled as problems happen
 */
export function collectPageErrors(page) {
  const problems = [];
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    // The browser asks for /favicon.ico on its own; Attest has none.
    if (message.location().url.endsWith('/favicon.ico')) return;
    problems.push(`console.error: ${message.text()} (${message.location().url})`);
  });
  return problems;
}
