// Core forms work without JavaScript: the server renders every page complete, and the role
// buttons on Settings are plain form posts that come back to the page they were sent from.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { newPage } from '../support/browser.mjs';
import { withDemoServer } from '../support/demo.mjs';
import { demoSignIn, roleButton, rolesShown, userRow } from '../support/pages.mjs';

let attest;
let browser;
withDemoServer((started) => ({ attest, browser } = started));

test('an admin without JavaScript makes a user auditor on Settings', () =>
  attest.withLog(async () => {
    // The demo reviewer has to have signed in once to be listed.
    const reviewer = await newPage(browser);
    const reviewerName = await demoSignIn(reviewer.page, attest.url, 'reviewer');
    await reviewer.context.close();

    const { context, page } = await newPage(browser, { javaScriptEnabled: false });
    await demoSignIn(page, attest.url, 'admin');
    await page.goto(`${attest.url}/settings`);
    await userRow(page, reviewerName).waitFor();
    assert.equal(await rolesShown(page, reviewerName), 'reviewer');

    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url() === `${attest.url}/api/change_role`),
      roleButton(page, reviewerName, 'make', 'auditor').click(),
    ]);
    assert.ok(
      response.status() >= 300 && response.status() < 400,
      `a form post should redirect back to the page, got ${response.status()}`,
    );
    await roleButton(page, reviewerName, 'remove', 'auditor').waitFor();
    assert.equal(new URL(page.url()).pathname, '/settings');
    assert.equal(await rolesShown(page, reviewerName), 'auditor');
    await context.close();
  }));
