// The browser bundle hydrates the server-rendered pages without errors, and the navigation
// then moves between sections on the client, loading data through server functions.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { Attest } from '../support/attest.mjs';
import { collectPageErrors, launchBrowser, newPage } from '../support/browser.mjs';
import { demoSignIn } from '../support/pages.mjs';

let attest;
let browser;

before(async () => {
  attest = new Attest({ command: 'demo' });
  await attest.start();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await attest?.stop();
});

/** Waits until the wasm bundle has been fetched and the page has gone quiet. */
async function waitForHydration(page) {
  await page.waitForFunction(() =>
    performance.getEntriesByType('resource').some((e) => e.name.endsWith('.wasm') && e.responseEnd > 0),
  );
  await page.waitForLoadState('networkidle');
}

test('the dashboard hydrates without errors and the navigation works on the client', () =>
  attest.withLog(async () => {
    const { context, page } = await newPage(browser);
    const problems = collectPageErrors(page);
    const admin = await demoSignIn(page, attest.url, 'admin');
    await waitForHydration(page);
    assert.deepEqual(problems, [], 'errors while loading the dashboard');

    // A full page load would drop this marker; a client-side navigation keeps it.
    await page.evaluate(() => {
      window.stillTheSamePage = true;
    });
    const nav = page.getByRole('navigation', { name: 'Main' });
    const documents = [];
    page.on('request', (r) => {
      if (r.resourceType() === 'document') documents.push(r.url());
    });

    await nav.getByRole('link', { name: 'Audit' }).click();
    await page.waitForURL(`${attest.url}/audit`);
    await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
    await page.getByRole('cell', { name: 'user.signed_in' }).first().waitFor();

    await nav.getByRole('link', { name: 'Settings' }).click();
    await page.waitForURL(`${attest.url}/settings`);
    await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    await page.getByRole('rowheader', { name: admin }).waitFor();

    assert.equal(await page.evaluate(() => window.stillTheSamePage), true, 'the page was reloaded');
    assert.deepEqual(documents, [], 'navigation loaded whole documents');
    assert.equal(
      await nav.getByRole('link', { name: 'Settings' }).getAttribute('aria-current'),
      'page',
      'the router marks the current section',
    );
    assert.deepEqual(problems, [], 'errors while navigating');
    await context.close();
  }));
