// One campaign from launch to sign-off on the demo org, as the people who run it see it:
// the admin creates, previews and launches it and reassigns an item; the manager filters,
// approves with the keyboard, revokes one access with a comment, bulk-approves the rest and
// submits; the revocation is pushed to the simulated Atlas and verified; the next snapshot no
// longer shows the access; the admin closes the campaign and signs it off.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { collectPageErrors, newPage } from '../support/browser.mjs';
import { withDemoServer } from '../support/demo.mjs';
import { demoSignIn, waitForStartupSnapshot } from '../support/pages.mjs';
import {
  FALLBACK_REVIEWERS,
  closeAndSignOff,
  itemCard,
  takeSnapshot,
  waitUntilVerified,
} from '../support/reviews.mjs';

let attest;
let browser;
withDemoServer((started) => ({ attest, browser } = started));

// The access the manager revokes: a direct report's only role in one project.
const REVOKED = { person: 'Ilja Varga', role: 'GROUP_READ_ONLY', project: 'payments-staging' };

/** Waits for the wasm bundle, so the keyboard shortcuts are listening. */
async function waitForHydration(page) {
  await page.waitForFunction(() =>
    performance.getEntriesByType('resource').some((e) => e.name.endsWith('.wasm') && e.responseEnd > 0),
  );
  await page.waitForLoadState('networkidle');
}

/** Presses a shortcut key that submits a decision form and waits for the page to come back. */
async function pressAndReload(page, key) {
  await Promise.all([page.waitForEvent('load'), page.keyboard.press(key)]);
  await waitForHydration(page);
}

/** The project page's address for a project name, found through the inventory explorer. */
async function projectHref(page, person, project) {
  const search = new URLSearchParams({ person, project });
  await page.goto(`${attest.url}/inventory?${search}`);
  const link = page.getByRole('link', { name: project, exact: true }).first();
  return link.getAttribute('href');
}

/** Everyone the project page lists in its Person column, across its pages. */
async function peopleOnProjectPage(page, href) {
  await page.goto(`${attest.url}${href}`);
  const people = new Set();
  for (;;) {
    await page.getByRole('heading', { level: 1, name: /^Project / }).waitFor();
    for (const cell of await page.locator('tbody tr td:nth-of-type(1)').allTextContents()) {
      people.add(cell.replace(/\s+/g, ' ').trim());
    }
    const next = page.getByRole('link', { name: 'Next' });
    if ((await next.count()) === 0) return [...people];
    await next.click();
    await page.waitForLoadState('load');
  }
}

test('a campaign goes from launch through review and verified revocation to sign-off', () =>
  attest.withLog(async () => {
    const adminSession = await newPage(browser);
    const admin = adminSession.page;
    await demoSignIn(admin, attest.url, 'admin');
    await waitForStartupSnapshot(admin, attest.url);

    const projectPage = await projectHref(admin, REVOKED.person, REVOKED.project);
    assert.ok(projectPage?.startsWith('/inventory/projects/'), `no project link: ${projectPage}`);
    assert.ok(
      (await peopleOnProjectPage(admin, projectPage)).some((p) => p.startsWith(REVOKED.person)),
      `${REVOKED.person} should reach ${REVOKED.project} before the campaign`,
    );

    // Create a draft and look at its preview.
    await admin.goto(`${attest.url}/campaigns`);
    await admin.getByRole('link', { name: 'New campaign' }).click();
    await admin.getByLabel('Name').fill('Quarterly access review');
    await admin.getByLabel('Fallback reviewers: emails of people in the directory, in order').fill(FALLBACK_REVIEWERS);
    await admin.getByLabel('Automatic: pushed to Atlas on submit').check();
    await admin.getByRole('button', { name: 'Create draft' }).click();
    await admin.waitForURL(/\/campaigns\/[0-9a-f-]{36}$/);
    const campaignUrl = admin.url();
    await admin.getByRole('heading', { level: 1, name: 'Quarterly access review' }).waitFor();
    const total = Number(
      (await admin.locator('.preview-total').textContent()).match(/^(\d+) items would be created/)[1],
    );
    assert.ok(total > 100, `the demo org's population is small: ${total}`);
    await admin.getByRole('table', { name: 'Items per reviewer' }).waitFor();
    assert.equal(await admin.getByRole('alert').count(), 0, 'the preview reports a blocker');

    await admin.getByRole('button', { name: 'Launch campaign' }).click();
    await admin.locator('.campaign-status strong', { hasText: 'Active' }).waitFor();
    await admin.getByText(`0 of ${total} decided, 0 submitted, 0 revoked`).waitFor();
    await admin.getByText('Settings and frozen snapshots').click();
    await admin.getByText(`${total} entitlements in scope = ${total} items created`).waitFor();

    // Reassign one of the fallback reviewer's items to the other fallback reviewer.
    await admin.getByLabel('Reviewer email').fill('kofi.varga@northwind.example');
    await admin.getByRole('button', { name: 'Find' }).click();
    await admin.waitForURL(/reviewer=kofi/);
    const movable = admin
      .locator('form.reassign tbody tr', { hasNot: admin.getByRole('rowheader', { name: 'Hana Gallagher' }) })
      .filter({ has: admin.getByRole('checkbox') })
      .first();
    const movedPrincipal = (await movable.locator('td').nth(1).textContent()).trim();
    const movedRole = (await movable.locator('td').nth(3).locator('code').textContent()).trim();
    await movable.getByRole('checkbox').check();
    await admin.getByLabel("New reviewer's email").fill('hana.gallagher@northwind.example');
    await admin.getByLabel('Reason (required)').fill('Kofi is on leave this quarter');
    await admin.getByRole('button', { name: 'Reassign selected' }).click();
    await admin.waitForLoadState('load');
    await admin.getByLabel('Reviewer email').fill('hana.gallagher@northwind.example');
    await admin.getByLabel('Search').fill(movedPrincipal);
    await admin.getByRole('button', { name: 'Find' }).click();
    await admin.waitForURL(/reviewer=hana/);
    const moved = admin.locator('form.reassign tbody tr', { hasText: movedRole }).filter({ hasText: movedPrincipal });
    await moved.first().waitFor();
    assert.match(await moved.first().textContent(), /hana\.gallagher@northwind\.example/);

    // The manager's journey.
    const managerSession = await newPage(browser);
    const manager = managerSession.page;
    const problems = collectPageErrors(manager);
    await demoSignIn(manager, attest.url, 'reviewer');
    await manager.goto(`${attest.url}/reviews`);
    await waitForHydration(manager);
    const progress = manager.locator('.progress-line');
    const mine = Number((await progress.textContent()).match(/0 of (\d+) decided/)[1]);
    assert.ok(mine >= 5, `the demo reviewer has only ${mine} items`);

    // Filter to read-tier access, then approve the first two with the keyboard.
    await manager.getByLabel('Tier').selectOption('read');
    await manager.getByRole('button', { name: 'Apply' }).click();
    await manager.waitForURL(/tier=read/);
    await waitForHydration(manager);
    for (let n = 1; n <= 2; n += 1) {
      await manager.keyboard.press('j');
      const focused = await manager.evaluate(() => document.activeElement?.closest('article.item')?.id);
      assert.ok(focused, '"j" should focus an undecided item');
      await pressAndReload(manager, 'a');
      assert.match(new URL(manager.url()).search, /tier=read/, 'the filter survives a decision');
      await manager.locator(`#${focused} .item-state`, { hasText: 'Decided: approve' }).waitFor();
      await progress.getByText(`${n} of ${mine} decided`).waitFor();
    }

    // Revoke one access with a comment typed after "c" focuses the comment box.
    const revokeTitle = `${REVOKED.role} — ${REVOKED.person}`;
    const card = itemCard(manager, revokeTitle);
    await card.focus();
    await manager.keyboard.press('c');
    assert.equal(await manager.evaluate(() => document.activeElement?.tagName), 'TEXTAREA');
    await manager.keyboard.type('Moved to the platform team; no longer needs staging.');
    await card.getByText(`Removes the role ${REVOKED.role} from ${REVOKED.person} on project ${REVOKED.project}.`).waitFor();
    await card.getByRole('button', { name: 'Revoke' }).click();
    await manager.waitForLoadState('load');
    await itemCard(manager, revokeTitle).locator('.item-state', { hasText: 'Decided: revoke (not submitted)' }).waitFor();

    // Bulk-approve everything else that is shown; privileged items are left out, not approved.
    await manager.getByRole('link', { name: 'Clear' }).click();
    await manager.waitForURL(`${attest.url}/reviews`);
    const bulk = manager.getByRole('button', { name: /^Approve all \d+ shown$/ });
    const shown = Number((await bulk.textContent()).match(/\d+/)[0]);
    await bulk.click();
    const outcome = manager.getByRole('status').filter({ hasText: 'in bulk' });
    await outcome.waitFor();
    const privilegedLeft = Number((await outcome.textContent()).match(/(\d+) privileged items were left out/)?.[1] ?? 0);
    assert.match(await outcome.textContent(), new RegExp(`Approved ${shown - privilegedLeft} items in bulk`));

    // Privileged access is approved one by one, with the comment the campaign requires.
    for (let left = privilegedLeft; left > 0; left -= 1) {
      const open = manager.locator('article.item.decision-open').first();
      await open.getByRole('textbox').fill('Owner of this project; confirmed with the team lead.');
      await open.getByRole('button', { name: 'Approve' }).click();
      await manager.waitForLoadState('load');
    }
    await progress.getByText(`${mine} of ${mine} decided, 0 submitted`).waitFor();

    await manager.getByRole('button', { name: `Submit ${mine} decisions in Quarterly access review` }).click();
    await manager.getByRole('status').filter({ hasText: `Submitted ${mine} decisions` }).waitFor();
    await itemCard(manager, revokeTitle).locator('.item-state', { hasText: 'Submitted: revoke' }).waitFor();
    assert.deepEqual(problems, [], 'errors in the reviewer pages');
    await managerSession.context.close();

    // The revocation reaches Atlas and is verified by reading Atlas back.
    const job = (page) =>
      page.locator('tr[data-job]', { hasText: REVOKED.person }).filter({ hasText: REVOKED.role });
    await waitUntilVerified(admin, attest.url, job);
    assert.equal(await job(admin).count(), 1, 'exactly one job for the revoked access');

    // The next snapshot no longer shows the person on the project.
    await takeSnapshot(admin, attest.url);
    const after = await peopleOnProjectPage(admin, projectPage);
    assert.ok(
      !after.some((p) => p.startsWith(REVOKED.person)),
      `${REVOKED.person} still reaches ${REVOKED.project}: ${after.join('; ')}`,
    );

    // Close and sign off.
    await closeAndSignOff(admin, campaignUrl);
    assert.match(await admin.locator('.attestation').textContent(), /Quarterly access review/);
    assert.match(
      await admin.getByRole('region', { name: 'Signed off' }).textContent(),
      /State SHA-256 [0-9a-f]{64}/,
    );
    await adminSession.context.close();
  }));
