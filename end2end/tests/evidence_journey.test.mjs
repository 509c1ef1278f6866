// From nothing to an auditor's verified evidence pack, the way a company would run it: Attest
// serving with single sign-on against an Atlas organization (the simulator, on its own port,
// reached through ATLAS_* settings like a real org). The admin imports the roster, snapshots the
// org and launches a campaign; two managers decide and submit, one revoking a leaver's access;
// the revocation is pushed and verified; the admin closes and signs off; an auditor downloads
// the evidence pack, and `attest evidence verify` passes on it with the published key.

import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { Attest, freePort } from '../support/attest.mjs';
import { launchBrowser, newPage } from '../support/browser.mjs';
import { startIdentityProvider } from '../support/idp.mjs';
import { roleButton, ssoSignIn, userRow } from '../support/pages.mjs';
import {
  closeAndSignOff,
  decideAndSubmit,
  launchCampaign,
  takeSnapshot,
  waitUntilVerified,
} from '../support/reviews.mjs';

const run = promisify(execFile);
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = process.env.ATTEST_BIN ?? path.join(REPO, 'target', 'debug', 'attest');

/** Who signs in: the admin and auditor are not in the roster; the managers are. */
const PEOPLE = {
  admin: { sub: 'idp-avery', email: 'avery.admin@example.test', name: 'Avery Admin', password: 'avery-pw' },
  auditor: { sub: 'idp-ada', email: 'ada.auditor@example.test', name: 'Ada Auditor', password: 'ada-pw' },
  elif: { sub: 'idp-elif', email: 'elif.weber@northwind.example', name: 'Elif Weber', password: 'elif-pw' },
  lars: { sub: 'idp-lars', email: 'lars.varga@northwind.example', name: 'Lars Varga', password: 'lars-pw' },
};
const CAMPAIGN = 'Q4 Atlas access review';

let scratch;
let simulator;
let idp;
let attest;
let browser;
let publicKey;

/** Starts `attest atlas-sim` and reads the org id and service account it prints. */
async function startSimulator(rosterPath) {
  const port = await freePort();
  const child = spawn(BIN, ['atlas-sim', '--bind', `127.0.0.1:${port}`, '--seed', '7', '--roster-out', rosterPath], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let printed = '';
  const fields = await new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`attest atlas-sim exited (${code}):\n${printed}`)));
    child.stdout.on('data', (chunk) => {
      printed += chunk;
      const value = (label) => printed.match(new RegExp(`${label}:\\s+(\\S+)`))?.[1];
      if (value('client secret')) {
        resolve({ orgId: value('org id'), clientId: value('client id'), clientSecret: value('client secret') });
      }
    });
  });
  return { child, url: `http://127.0.0.1:${port}`, ...fields };
}

before(async () => {
  scratch = mkdtempSync(path.join(tmpdir(), 'attest-evidence-'));
  simulator = await startSimulator(path.join(scratch, 'roster.csv'));
  const signingKey = (await run(BIN, ['evidence', 'generate-key'])).stdout.trim();
  publicKey = (
    await run(BIN, ['evidence', 'public-key'], { env: { ...process.env, ATTEST_EVIDENCE_SIGNING_KEY: signingKey } })
  ).stdout.trim();

  const port = await freePort();
  idp = await startIdentityProvider({ redirectUri: `http://127.0.0.1:${port}/auth/callback`, accounts: PEOPLE });
  attest = new Attest({
    command: 'serve',
    port,
    env: {
      ATTEST_OIDC_ISSUER: idp.issuer,
      ATTEST_OIDC_CLIENT_ID: idp.clientId,
      ATTEST_OIDC_CLIENT_SECRET: idp.clientSecret,
      ATTEST_ADMIN_EMAILS: PEOPLE.admin.email,
      ATLAS_BASE_URL: simulator.url,
      ATLAS_CLIENT_ID: simulator.clientId,
      ATLAS_CLIENT_SECRET: simulator.clientSecret,
      ATTEST_ATLAS_ORG_IDS: simulator.orgId,
      // Nothing is snapshotted or harvested behind the test's back.
      ATTEST_SNAPSHOT_EVERY_HOURS: '0',
      ATTEST_USAGE_EVERY_HOURS: '0',
      ATTEST_EVIDENCE_SIGNING_KEY: signingKey,
    },
  });
  await attest.start();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await attest?.stop();
  await idp?.stop();
  simulator?.child.kill('SIGTERM');
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** Signs `person` in through the provider in a fresh browser profile. */
async function signIn(person) {
  const session = await newPage(browser);
  await ssoSignIn(session.page, attest.url, person);
  return session;
}

test('from an empty Attest to an auditor verifying the evidence pack', () =>
  attest.withLog(async () => {
    const { page: admin } = await signIn(PEOPLE.admin);

    // The directory, then the snapshot.
    await admin.goto(`${attest.url}/people`);
    await admin.getByLabel('Roster file').setInputFiles(path.join(scratch, 'roster.csv'));
    await admin.getByRole('button', { name: 'Import' }).click();
    await admin.getByRole('status').filter({ hasText: 'Roster imported.' }).waitFor();
    await takeSnapshot(admin, attest.url);

    const { url: campaignUrl } = await launchCampaign(admin, attest.url, CAMPAIGN);

    // Elif approves everything; Lars revokes everything his leaver still holds.
    const elif = await signIn(PEOPLE.elif);
    await elif.page.goto(`${attest.url}/reviews`);
    assert.ok((await decideAndSubmit(elif.page, CAMPAIGN)) > 0);
    await elif.context.close();

    const lars = await signIn(PEOPLE.lars);
    await lars.page.goto(`${attest.url}/reviews?flag=leaver`);
    const leaverItems = lars.page.locator('article.item.decision-open');
    const revokedTitles = await leaverItems.getByRole('heading', { level: 3 }).allTextContents();
    assert.ok(revokedTitles.length > 0, 'Lars has a leaver whose access to revoke');
    await decideAndSubmit(lars.page, CAMPAIGN, leaverItems);
    await lars.page.goto(`${attest.url}/reviews`);
    await decideAndSubmit(lars.page, CAMPAIGN);
    await lars.context.close();

    // Every revocation is verified in Atlas, then the campaign is closed and signed off.
    for (const title of revokedTitles) {
      const [role, principal] = title.split(' — ');
      await waitUntilVerified(admin, attest.url, (page) =>
        page.locator('tr[data-job]', { hasText: principal }).filter({ hasText: role }),
      );
    }
    await closeAndSignOff(admin, campaignUrl);

    // The auditor signs in once, is made auditor by the admin, and downloads the pack.
    const first = await signIn(PEOPLE.auditor);
    await first.context.close();
    await admin.goto(`${attest.url}/settings`);
    await userRow(admin, PEOPLE.auditor.name).waitFor();
    await roleButton(admin, PEOPLE.auditor.name, 'make', 'auditor').click();
    await roleButton(admin, PEOPLE.auditor.name, 'remove', 'auditor').waitFor();

    const { page: auditor } = await signIn(PEOPLE.auditor);
    await auditor.goto(`${attest.url}/evidence`);
    await auditor.getByRole('heading', { level: 1, name: 'Evidence' }).waitFor();
    const row = auditor.locator('tr', { has: auditor.getByRole('rowheader', { name: CAMPAIGN }) });
    const [download] = await Promise.all([
      auditor.waitForEvent('download'),
      row.getByRole('link', { name: 'Evidence pack (zip)' }).click(),
    ]);
    const pack = path.join(scratch, 'pack.zip');
    await download.saveAs(pack);

    const verified = await run(BIN, ['evidence', 'verify', pack, '--public-key', publicKey]);
    assert.match(verified.stdout, /evidence pack verified/);
    assert.doesNotMatch(verified.stdout, /FAILED/);
  }));
