// Cross-site request forgery: a page on another origin posts forms to Attest in a signed-in
// browser. Attest must answer 403 "Request refused" and change nothing.
//
// Two foreign origins are tried. http://127.0.0.1:<other port> is same-site with Attest, so the
// browser sends the session cookie along and only the origin check stands in the way.
// http://localhost:<other port> is cross-site, the classic attack.

import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';

import { Attest } from '../support/attest.mjs';
import { launchBrowser, newPage } from '../support/browser.mjs';
import { NAV, demoSignIn, navLabels, rolesShown, userRow } from '../support/pages.mjs';

let attest;
let browser;
let foreign;

before(async () => {
  attest = new Attest({ command: 'demo' });
  await attest.start();
  browser = await launchBrowser();
  foreign = http.createServer((req, res) => {
    const target = new URL(req.url, 'http://x').searchParams;
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(forgedPage(target.get('user_id') ?? ''));
  });
  await new Promise((resolve) => foreign.listen(0, '127.0.0.1', resolve));
});

after(async () => {
  await browser?.close();
  await attest?.stop();
  if (foreign) await new Promise((resolve) => foreign.close(resolve));
});

/** A page with two forms aimed at Attest: grant a role, and sign out. */
function forgedPage(userId) {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Win a prize</title></head><body>
<form method="post" action="${attest.url}/api/change_role">
  <input type="hidden" name="user_id" value="${userId}">
  <input type="hidden" name="role" value="admin">
  <input type="hidden" name="grant" value="true">
  <button type="submit">Claim prize</button>
</form>
<form method="post" action="${attest.url}/auth/logout">
  <button type="submit">Unsubscribe</button>
</form>
</body></html>`;
}

test('form posts from another origin are refused with 403 and change nothing', () =>
  attest.withLog(async () => {
    const reviewer = await newPage(browser);
    const reviewerName = await demoSignIn(reviewer.page, attest.url, 'reviewer');
    await reviewer.context.close();

    const { context, page } = await newPage(browser);
    await demoSignIn(page, attest.url, 'admin');
    await page.goto(`${attest.url}/settings`);
    const reviewerId = await userRow(page, reviewerName).locator('input[name=user_id]').first().inputValue();

    const port = foreign.address().port;
    for (const origin of [`http://127.0.0.1:${port}`, `http://localhost:${port}`]) {
      for (const [button, path] of [
        ['Claim prize', '/api/change_role'],
        ['Unsubscribe', '/auth/logout'],
      ]) {
        await page.goto(`${origin}/?user_id=${reviewerId}`);
        const [response] = await Promise.all([
          page.waitForResponse((r) => r.url() === `${attest.url}${path}`),
          page.getByRole('button', { name: button }).click(),
        ]);
        assert.equal(response.status(), 403, `POST ${path} from ${origin}`);
        await page.getByRole('heading', { level: 1, name: 'Request refused' }).waitFor();
      }
    }

    // Still signed in as the admin, and the reviewer is still only a reviewer.
    await page.goto(`${attest.url}/settings`);
    assert.deepEqual(await navLabels(page), NAV.admin);
    await userRow(page, reviewerName).waitFor();
    assert.equal(await rolesShown(page, reviewerName), 'reviewer');
    await context.close();
  }));
