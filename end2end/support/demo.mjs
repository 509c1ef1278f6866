// One demo-mode Attest and one browser shared by the tests of a file.

import { after, before } from 'node:test';

import { Attest } from './attest.mjs';
import { launchBrowser } from './browser.mjs';

/**
 * Starts `attest demo` and Chromium before the file's tests and stops both after them.
 * `receive` is called with `{ attest, browser }` once both are running.
 *
 * @param {(started: { attest: Attest, browser: import('playwright-core').Browser }) => void} receive
 */
export function withDemoServer(receive) {
  const started = {};
  before(async () => {
    started.attest = new Attest({ command: 'demo' });
    await started.attest.start();
    started.browser = await launchBrowser();
    receive(started);
  });
  after(async () => {
    await started.browser?.close();
    await started.attest?.stop();
  });
}
