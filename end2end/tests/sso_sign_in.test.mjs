// Single sign-on through a real OpenID provider, the navigation each role lands on, sign-out,
// and the demo sign-in being refused outside demo mode.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { Attest, freePort } from '../support/attest.mjs';
import { launchBrowser, newPage } from '../support/browser.mjs';
import { ACCOUNTS, startIdentityProvider } from '../support/idp.mjs';
import {
  NAV,
  expectSignInPage,
  navLabels,
  roleButton,
  rolesShown,
  ssoSignIn,
  userRow,
} from '../support/pages.mjs';

const { alice, bob, carol } = ACCOUNTS;

let idp;
let attest;
let browser;

before(async () => {
  const port = await freePort();
  idp = await startIdentityProvider({ redirectUri: `http://127.0.0.1:${port}/auth/callback` });
  attest = new Attest({
    command: 'serve',
    port,
    env: {
      ATTEST_OIDC_ISSUER: idp.issuer,
      ATTEST_OIDC_CLIENT_ID: idp.clientId,
      ATTEST_OIDC_CLIENT_SECRET: idp.clientSecret,
      ATTEST_ADMIN_EMAILS: alice.email,
    },
  });
  await attest.start();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await attest?.stop();
  await idp?.stop();
});

/** Signs `account` in from a fresh browser profile (the provider's own session included). */
async function signedIn(account) {
  const { context, page } = await newPage(browser);
  await ssoSignIn(page, attest.url, account);
  return { context, page };
}

test('a user with no role signs in through the provider and sees Dashboard and My reviews only', () =>
  attest.withLog(async () => {
    const { context, page } = await signedIn(bob);
    assert.deepEqual(await navLabels(page), NAV.reviewer);
    await page.getByText(`Welcome, ${bob.name}.`).waitFor();

    await page.goto(`${attest.url}/settings`);
    await page.getByRole('heading', { name: 'No access' }).waitFor();
    await context.close();
  }));

test('a bootstrap admin email signs in as admin and sees every section', () =>
  attest.withLog(async () => {
    const { context, page } = await signedIn(alice);
    assert.deepEqual(await navLabels(page), NAV.admin);
    await page.getByText(`Welcome, ${alice.name}.`).waitFor();
    await context.close();
  }));

test('a user made auditor on Settings sees the read-only sections, not Settings or My reviews', () =>
  attest.withLog(async () => {
    const first = await signedIn(carol);
    assert.deepEqual(await navLabels(first.page), NAV.reviewer);
    await first.context.close();

    const admin = await signedIn(alice);
    const nav = admin.page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Settings' }).click();
    await userRow(admin.page, carol.name).waitFor();
    assert.equal(await rolesShown(admin.page, carol.name), 'reviewer');
    await roleButton(admin.page, carol.name, 'make', 'auditor').click();
    await roleButton(admin.page, carol.name, 'remove', 'auditor').waitFor();
    assert.equal(await rolesShown(admin.page, carol.name), 'auditor');
    await admin.context.close();

    const again = await signedIn(carol);
    assert.deepEqual(await navLabels(again.page), NAV.auditor);
    await again.page.goto(`${attest.url}/settings`);
    await again.page.getByRole('heading', { name: 'No access' }).waitFor();
    await again.context.close();
  }));

test('signing out ends the session: the sign-in page returns and protected pages ask to sign in', () =>
  attest.withLog(async () => {
    const { context, page } = await signedIn(alice);
    const session = (await context.cookies(attest.url)).find((c) => c.name === 'attest_sid');
    assert.ok(session, 'signed in with a session cookie');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${attest.url}/?signed_out=1`);
    await expectSignInPage(page);
    await page.getByRole('status').filter({ hasText: 'You have signed out.' }).waitFor();

    await page.goto(`${attest.url}/settings`);
    await expectSignInPage(page);
    assert.equal(await page.getByRole('navigation', { name: 'Main' }).count(), 0);
    assert.equal(await page.getByRole('heading', { name: 'Settings' }).count(), 0);
    const cookies = await context.cookies(attest.url);
    assert.ok(
      !cookies.some((c) => c.name === 'attest_sid'),
      `the session cookie should be gone, found ${JSON.stringify(cookies.map((c) => c.name))}`,
    );
    await context.close();

    // The old session id is dead on the server too, not just forgotten by the browser.
    const replay = await newPage(browser);
    await replay.context.addCookies([session]);
    await replay.page.goto(`${attest.url}/settings`);
    await expectSignInPage(replay.page);
    await replay.context.close();
  }));

test('demo sign-in is refused when the server is not in demo mode', () =>
  attest.withLog(async () => {
    const { context, page } = await newPage(browser);
    await page.goto(`${attest.url}/`);
    await expectSignInPage(page);
    assert.equal(await page.getByRole('button', { name: 'Act as an admin' }).count(), 0);

    // Post the demo form anyway, from Attest's own page (so it passes the cross-site check).
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url() === `${attest.url}/auth/demo`),
      page.evaluate(() => {
        const form = document.createElement('form');
        form.method = 'post';
        form.action = '/auth/demo';
        const role = document.createElement('input');
        role.name = 'role';
        role.value = 'admin';
        form.append(role);
        document.body.append(form);
        form.submit();
      }),
    ]);
    assert.equal(response.status(), 404);
    await page.getByText('Demo sign-in is available only in demo mode.').waitFor();

    await page.goto(`${attest.url}/`);
    await expectSignInPage(page);
    await context.close();
  }));
