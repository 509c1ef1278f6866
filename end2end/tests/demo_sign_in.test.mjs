// Demo mode: "act as" sign-in for each role lands on that role's navigation.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { Attest } from '../support/attest.mjs';
import { launchBrowser, newPage } from '../support/browser.mjs';
import { NAV, demoSignIn, navLabels, signedInAs } from '../support/pages.mjs';

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
