// Demo mode: "act as" sign-in for each role lands on that role's navigation.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { newPage } from '../support/browser.mjs';
import { withDemoServer } from '../support/demo.mjs';
import { NAV, demoSignIn, navLabels, signedInAs } from '../support/pages.mjs';

let attest;
let browser;
withDemoServer((started) => ({ attest, browser } = started));

for (const role of ['admin', 'reviewer', 'auditor']) {
  test(`acting as the demo ${role} shows the ${role}'s navigation`, () =>
    attest.withLog(async () => {
      const { context, page } = await newPage(browser);
      const name = await demoSignIn(page, attest.url, role);
      assert.deepEqual(await navLabels(page), NAV[role]);
      assert.deepEqual(await signedInAs(page), { name, roles: role });
      await page.getByText(`Welcome, ${name}.`).waitFor();
      await context.close();
    }));
}
