// An admin takes a snapshot of the demo org from the Snapshots page, watches it finish, finds a
// leaver who still holds access and opens that person's page.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { newPage } from '../support/browser.mjs';
import { withDemoServer } from '../support/demo.mjs';
import { demoSignIn, waitForStartupSnapshot } from '../support/pages.mjs';

let attest;
let browser;
withDemoServer((started) => ({ attest, browser } = started));

test('an admin takes a snapshot, finds a leaver with access and opens the person page', () =>
  attest.withLog(async () => {
    const { context, page } = await newPage(browser);
    await demoSignIn(page, attest.url, 'admin');
    // Demo mode snapshots its org at start; a second snapshot of one org waits for the first.
    await waitForStartupSnapshot(page, attest.url);

    await page.goto(`${attest.url}/snapshots`);
    await page.getByRole('heading', { level: 1, name: 'Snapshots' }).waitFor();
    await page.getByRole('button', { name: 'Take a snapshot now' }).click();

    // The form leads to the new snapshot's page, which refreshes itself while it runs.
    await page.waitForURL(/\/snapshots\/[0-9a-f-]{36}$/);
    const snapshotUrl = page.url();
    await page.locator('#snapshot-status', { hasText: 'complete' }).waitFor({ timeout: 60_000 });
    assert.equal(page.url(), snapshotUrl);
    const counts = await page.locator('dt:text-is("Principals, entitlements") + dd').textContent();
    const [principals, entitlements] = counts.split(',').map((n) => Number(n.trim()));
    assert.ok(principals > 0 && entitlements > principals, `unexpected counts: ${counts}`);
    await page.getByRole('link', { name: 'What changed since the previous snapshot' }).waitFor();

    await page.goto(`${attest.url}/inventory/leavers`);
    await page.getByRole('heading', { level: 1, name: 'Leavers with access' }).waitFor();
    const status = await page.getByRole('status').first().textContent();
    const leavers = Number(status.match(/(\d+) leavers still hold access/)?.[1] ?? 0);
    assert.ok(leavers > 0, `the demo org has leavers with access, the page says: ${status}`);

    const first = page.locator('section.leaver').first();
    const name = (await first.getByRole('heading', { level: 2 }).getByRole('link').textContent()).trim();
    const rowsListed = await first.locator('tbody tr').count();
    assert.ok(rowsListed > 0, `${name} is listed without any access`);

    await first.getByRole('heading', { level: 2 }).getByRole('link', { name }).click();
    await page.waitForURL(/\/inventory\/people\//);
    const heading = page.getByRole('heading', { level: 1 });
    await heading.waitFor();
    assert.match(await heading.textContent(), new RegExp(`^${name}\\s+leaver$`));
    const reach = await page
      .getByRole('region', { name: 'Everything they can reach' })
      .getByRole('status')
      .textContent();
    const total = Number(reach.match(/(\d+) entitlements/)?.[1] ?? 0);
    assert.ok(total >= rowsListed, `the person page lists ${total}, the leaver list ${rowsListed}`);
    await page.getByRole('region', { name: 'Linked principals' }).locator('tbody tr').first().waitFor();
    await context.close();
  }));
