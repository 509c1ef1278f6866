// What the tests do on Attest's pages, in the words a person would use: sign in, read the
// navigation, find a user on Settings.

/** The navigation each role should see, in order. */
export const NAV = {
  admin: [
    'Dashboard', 'My reviews', 'Campaigns', 'Inventory', 'Snapshots', 'People', 'Remediation',
    'Audit', 'Evidence', 'Settings',
  ],
  reviewer: ['Dashboard', 'My reviews'],
  auditor: [
    'Dashboard', 'Campaigns', 'Inventory', 'Snapshots', 'People', 'Remediation', 'Audit', 'Evidence',
  ],
};

/**
 * The labels of the main navigation's links, in order.
 *
 * @param {import('playwright-core').Page} page
 */
export async function navLabels(page) {
  const nav = page.getByRole('navigation', { name: 'Main' });
  await nav.waitFor();
  return (await nav.getByRole('link').allTextContents()).map((label) => label.trim());
}

/**
 * Waits for the sign-in page (shown for every address while signed out).
 *
 * @param {import('playwright-core').Page} page
 */
export async function expectSignInPage(page) {
  await page.getByRole('heading', { level: 1, name: 'Sign in to Attest' }).waitFor();
}

/**
 * Who the header says is signed in.
 *
 * @param {import('playwright-core').Page} page
 * @returns {Promise<{ name: string, roles: string }>} e.g. { name: 'Ada Auditor', roles: 'auditor' }
 */
export async function signedInAs(page) {
  const header = page.getByRole('banner');
  const name = (await header.locator('.user-name').textContent()).trim();
  const roles = (await header.locator('.user-roles').textContent()).trim().replace(/^\(|\)$/g, '');
  return { name, roles };
}

/**
 * Signs in with the demo mode's "act as" buttons and waits for the dashboard.
 *
 * @param {import('playwright-core').Page} page
 * @param {string} baseUrl Attest's URL
 * @param {'admin' | 'reviewer' | 'auditor'} role
 * @returns {Promise<string>} the demo user's display name (the demo reviewer is a person from
 *   the seeded directory, so tests must not assume it)
 */
export async function demoSignIn(page, baseUrl, role) {
  await page.goto(`${baseUrl}/`);
  const labels = { admin: 'Act as an admin', reviewer: 'Act as a reviewer', auditor: 'Act as an auditor' };
  await page.getByRole('button', { name: labels[role] }).click();
  await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
  return (await signedInAs(page)).name;
}

/**
 * Waits until the Snapshots page lists a complete snapshot: demo mode takes one at start, and
 * pages that read the inventory are empty until it is done.
 *
 * @param {import('playwright-core').Page} page signed in as an admin or auditor
 * @param {string} baseUrl Attest's URL
 */
export async function waitForStartupSnapshot(page, baseUrl) {
  for (let attempt = 0; attempt < 120; attempt += 1) {
    await page.goto(`${baseUrl}/snapshots`);
    await page.getByRole('heading', { level: 1, name: 'Snapshots' }).waitFor();
    if ((await page.locator('tbody tr', { hasText: 'complete' }).count()) > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error('no snapshot completed within a minute of start-up');
}

/**
 * Signs in through single sign-on: Attest sends the browser to the identity provider, the
 * account's email and password go into the provider's form, and the provider sends the
 * browser back to Attest's callback.
 *
 * @param {import('playwright-core').Page} page
 * @param {string} baseUrl Attest's URL
 * @param {{ email: string, password: string }} account
 */
export async function ssoSignIn(page, baseUrl, account) {
  await page.goto(`${baseUrl}/`);
  await page.getByRole('link', { name: 'Sign in with single sign-on' }).click();
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${baseUrl}/`);
  await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
}

/**
 * The row of the users-and-roles table on Settings for the user with this display name.
 *
 * @param {import('playwright-core').Page} page
 * @param {string} name
 */
export function userRow(page, name) {
  return page.locator('tbody tr', { has: page.getByRole('rowheader', { name, exact: true }) });
}

/**
 * The roles the users-and-roles table shows for a user, e.g. "admin" or "reviewer".
 *
 * @param {import('playwright-core').Page} page
 * @param {string} name
 */
export async function rolesShown(page, name) {
  // Columns: name (row header), email, roles, last sign-in, change.
  return (await userRow(page, name).getByRole('cell').nth(1).textContent()).trim();
}

/**
 * A role button in a user's row on Settings. It reads "Make auditor" or "Remove auditor";
 * its accessible name says whom it is for ("Make Carol Chen auditor").
 *
 * @param {import('playwright-core').Page} page
 * @param {string} name the user's display name
 * @param {'make' | 'remove'} change
 * @param {'admin' | 'auditor'} role
 */
export function roleButton(page, name, change, role) {
  const label = change === 'make' ? `Make ${name} ${role}` : `Remove ${name} from ${role}`;
  return userRow(page, name).getByRole('button', { name: label, exact: true });
}
