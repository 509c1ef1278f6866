// What admins and reviewers do with campaigns, in the words of the pages: create and launch a
// campaign, decide a queue, take a snapshot, wait for a revocation to be verified.

import assert from 'node:assert/strict';

/** The demo directory's fallback reviewers: managers who hold none of the top-level access. */
export const FALLBACK_REVIEWERS = 'kofi.varga@northwind.example hana.gallagher@northwind.example';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A review item card on My reviews, by its heading ("ROLE — principal").
 *
 * @param {import('playwright-core').Page} page
 * @param {string} title
 */
export function itemCard(page, title) {
  return page.locator('article.item', {
    has: page.getByRole('heading', { level: 3, name: title, exact: true }),
  });
}

/**
 * Creates a campaign over every principal kind with automatic remediation, checks its preview
 * and launches it.
 *
 * @param {import('playwright-core').Page} page signed in as an admin
 * @param {string} baseUrl Attest's URL
 * @param {string} name
 * @returns {Promise<{ url: string, total: number }>} the campaign's page and its item count
 */
export async function launchCampaign(page, baseUrl, name) {
  await page.goto(`${baseUrl}/campaigns`);
  await page.getByRole('link', { name: 'New campaign' }).click();
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Fallback reviewers: emails of people in the directory, in order').fill(FALLBACK_REVIEWERS);
  await page.getByLabel('Automatic: pushed to Atlas on submit').check();
  await page.getByRole('button', { name: 'Create draft' }).click();
  await page.waitForURL(/\/campaigns\/[0-9a-f-]{36}$/);
  const url = page.url();
  await page.getByRole('heading', { level: 1, name }).waitFor();
  const preview = await page.locator('.preview-total').textContent();
  const total = Number(preview.match(/^(\d+) items would be created/)?.[1] ?? 0);
  assert.ok(total > 100, `the demo org's population is small: ${preview}`);
  assert.equal(await page.getByRole('alert').count(), 0, 'the preview reports a blocker');
  await page.getByRole('button', { name: 'Launch campaign' }).click();
  await page.locator('.campaign-status strong', { hasText: 'Active' }).waitFor();
  return { url, total };
}

/**
 * Decides everything still open on My reviews: revokes the cards `revoke` picks with a comment,
 * bulk-approves the rest (privileged items are left out by the bulk form, so they are then
 * approved one by one with the comment the campaign requires), and submits.
 *
 * @param {import('playwright-core').Page} page a reviewer on /reviews
 * @param {string} campaign the campaign's name
 * @param {import('playwright-core').Locator} [revoke] the cards to revoke
 * @returns {Promise<number>} how many decisions were submitted
 */
export async function decideAndSubmit(page, campaign, revoke) {
  if (revoke) {
    for (let left = await revoke.count(); left > 0; left -= 1) {
      const card = revoke.first();
      await card.getByRole('textbox').fill('Left the company; access must go.');
      await card.getByRole('button', { name: 'Revoke' }).click();
      await page.waitForLoadState('load');
    }
  }
  const bulk = page.getByRole('button', { name: /^Approve all \d+ shown$/ });
  if ((await bulk.count()) > 0) {
    await bulk.click();
    await page.getByRole('status').filter({ hasText: 'in bulk' }).waitFor();
  }
  for (let guard = 0; ; guard += 1) {
    const open = page.locator('article.item.decision-open');
    if ((await open.count()) === 0) break;
    assert.ok(guard < 100, 'items stay open after being approved');
    await open.first().getByRole('textbox').fill('Needed for this role; confirmed with the team lead.');
    await open.first().getByRole('button', { name: 'Approve' }).click();
    await page.waitForLoadState('load');
  }
  const submit = page.getByRole('button', { name: new RegExp(`^Submit \\d+ decisions in ${campaign}$`) });
  const count = Number((await submit.textContent()).match(/\d+/)[0]);
  await submit.click();
  await page.getByRole('status').filter({ hasText: `Submitted ${count} decisions` }).waitFor();
  return count;
}

/**
 * Reloads the remediation queue until the job in `row` reads verified.
 *
 * @param {import('playwright-core').Page} page signed in as an admin
 * @param {string} baseUrl Attest's URL
 * @param {(page: import('playwright-core').Page) => import('playwright-core').Locator} row
 */
export async function waitUntilVerified(page, baseUrl, row) {
  for (let attempt = 0; ; attempt += 1) {
    await page.goto(`${baseUrl}/remediation`);
    const job = row(page).first();
    await job.waitFor();
    if ((await job.getAttribute('data-status')) === 'verified') return;
    assert.ok(attempt < 60, `the job did not turn verified: ${await job.textContent()}`);
    await sleep(500);
  }
}

/**
 * Takes a snapshot from the Snapshots page and waits for it to complete.
 *
 * @param {import('playwright-core').Page} page signed in as an admin
 * @param {string} baseUrl Attest's URL
 */
export async function takeSnapshot(page, baseUrl) {
  await page.goto(`${baseUrl}/snapshots`);
  await page.getByRole('button', { name: 'Take a snapshot now' }).click();
  await page.waitForURL(/\/snapshots\/[0-9a-f-]{36}$/);
  await page.locator('#snapshot-status', { hasText: 'complete' }).waitFor({ timeout: 60_000 });
}

/**
 * Closes the campaign and signs it off with the attestation the page proposes.
 *
 * @param {import('playwright-core').Page} page signed in as an admin
 * @param {string} campaignUrl the campaign's page
 */
export async function closeAndSignOff(page, campaignUrl) {
  await page.goto(campaignUrl);
  await page.getByRole('button', { name: 'Close campaign' }).click();
  await page.locator('.campaign-status strong', { hasText: 'Closed' }).waitFor();
  await page.getByLabel('Attestation').waitFor();
  await page.getByRole('button', { name: 'Sign off' }).click();
  await page.getByRole('heading', { level: 2, name: 'Signed off' }).waitFor();
}
