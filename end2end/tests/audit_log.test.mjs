// The audit page lists sign-ins and role changes, and its filter form narrows the list.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { newPage } from '../support/browser.mjs';
import { withDemoServer } from '../support/demo.mjs';
import { demoSignIn, roleButton } from '../support/pages.mjs';

let attest;
let browser;
withDemoServer((started) => ({ attest, browser } = started));

/** The audit table's rows as { actor, action, details }. */
async function auditRows(page) {
  await page.getByRole('table').waitFor();
  return page.locator('tbody tr').evaluateAll((rows) =>
    rows.map((row) => {
      const cells = [...row.querySelectorAll('td')].map((td) => td.textContent.trim());
      // Columns: #, when, actor, action, object, details.
      return { actor: cells[2], action: cells[3], details: cells[5] };
    }),
  );
}

test('sign-ins and role changes appear on the audit page, and the filter narrows them', () =>
  attest.withLog(async () => {
    const reviewer = await newPage(browser);
    const reviewerName = await demoSignIn(reviewer.page, attest.url, 'reviewer');
    await reviewer.context.close();

    const { context, page } = await newPage(browser);
    const admin = await demoSignIn(page, attest.url, 'admin');
    await page.goto(`${attest.url}/settings`);
    await roleButton(page, reviewerName, 'make', 'auditor').click();
    await roleButton(page, reviewerName, 'remove', 'auditor').waitFor();

    await page.goto(`${attest.url}/audit`);
    const all = await auditRows(page);
    const has = (actor, action) => all.some((r) => r.actor === actor && r.action === action);
    assert.ok(has(reviewerName, 'user.signed_in'), `reviewer's sign-in is listed: ${JSON.stringify(all)}`);
    assert.ok(has(admin, 'user.signed_in'), `admin's sign-in is listed: ${JSON.stringify(all)}`);
    assert.ok(has(admin, 'role.granted'), `the role change is listed: ${JSON.stringify(all)}`);

    const filters = page.getByRole('form', { name: 'Filter audit events' });
    await filters.getByLabel('Actor').fill('avery');
    await filters.getByLabel('Action').fill('role.granted');
    await filters.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/\/audit\?.*action=role\.granted/);
    await page.getByRole('cell', { name: 'user.signed_in' }).first().waitFor({ state: 'detached' });

    const narrowed = await auditRows(page);
    assert.equal(narrowed.length, 1, `one matching event: ${JSON.stringify(narrowed)}`);
    assert.equal(narrowed[0].actor, admin);
    assert.equal(narrowed[0].action, 'role.granted');
    assert.match(narrowed[0].details, /auditor/);
    assert.ok(narrowed[0].details.includes(reviewerName), narrowed[0].details);
    assert.equal(
      await filters.getByLabel('Action').inputValue(),
      'role.granted',
      'the filter form keeps its value',
    );
    await context.close();
  }));
