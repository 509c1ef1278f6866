// Pages are rendered on the server; the browser bundle hydrates only their interactive islands.
// Every section loads them without errors (the review queue's keyboard shortcuts, the one
// island with behaviour of its own, are exercised in review_journey.test.mjs).

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { collectPageErrors, newPage } from '../support/browser.mjs';
import { withDemoServer } from '../support/demo.mjs';
import { NAV, demoSignIn } from '../support/pages.mjs';

let attest;
let browser;
withDemoServer((started) => ({ attest, browser } = started));

/** Waits until the wasm bundle has been fetched and the page has gone quiet. */
async function waitForIslands(page) {
  await page.waitForFunction(() =>
    performance.getEntriesByType('resource').some((e) => e.name.endsWith('.wasm') && e.responseEnd > 0),
  );
  await page.waitForLoadState('networkidle');
}

test('every section loads its islands without errors', () =>
  attest.withLog(async () => {
    const { context, page } = await newPage(browser);
    const problems = collectPageErrors(page);
    await demoSignIn(page, attest.url, 'admin');
    await waitForIslands(page);
    assert.deepEqual(problems, [], 'errors while loading the dashboard');

    const nav = page.getByRole('navigation', { name: 'Main' });
    for (const section of NAV.admin.filter((label) => label !== 'Dashboard')) {
      await nav.getByRole('link', { name: section, exact: true }).click();
      await page.waitForLoadState('load');
      await waitForIslands(page);
      assert.equal(
        await nav.getByRole('link', { name: section, exact: true }).getAttribute('aria-current'),
        'page',
        `the navigation marks ${section} as the current section`,
      );
      assert.deepEqual(problems, [], `errors on ${section}`);
    }
    await context.close();
  }));
