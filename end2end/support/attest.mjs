// Starts the built Attest server for one test file: a throwaway PostgreSQL database, a free
// port, the built site, and a log file that is printed when a test fails.

import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import pg from 'pg';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const RESULTS = path.join(REPO, 'end2end', 'test-results');
const SERVER_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const STARTUP_TIMEOUT_MS = 60_000;

let databasesCreated = 0;

/** A port nobody listens on right now. */
export async function freePort() {
  const probe = net.createServer();
  await new Promise((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', resolve);
  });
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** One running Attest server and its database. */
export class Attest {
  /**
   * @param {object} options
   * @param {'serve' | 'demo'} options.command `attest serve` (single sign-on) or `attest demo`
   * @param {number} [options.port] the port to listen on; a free one when omitted
   * @param {Record<string, string>} [options.env] further settings, such as ATTEST_OIDC_ISSUER
   */
  constructor({ command, port, env = {} }) {
    this.command = command;
    this.port = port;
    this.extraEnv = env;
    this.database = `attest_e2e_${process.pid}_${++databasesCreated}`;
    this.logPath = path.join(RESULTS, `${this.database}.log`);
    this.child = null;
    this.failed = false;
  }

  /** The public URL, e.g. http://127.0.0.1:41234 (no trailing slash). */
  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  async start() {
    this.port ??= await freePort();
    await admin((client) => client.query(`CREATE DATABASE "${this.database}"`));
    const databaseUrl = new URL(SERVER_URL);
    databaseUrl.pathname = `/${this.database}`;

    mkdirSync(RESULTS, { recursive: true });
    const log = openSync(this.logPath, 'w');
    const bin = process.env.ATTEST_BIN ?? path.join(REPO, 'target', 'debug', 'attest');
    this.child = spawn(bin, [this.command], {
      env: {
        ...inheritedEnv(),
        DATABASE_URL: databaseUrl.toString(),
        ATTEST_BIND: `127.0.0.1:${this.port}`,
        ATTEST_PUBLIC_URL: this.url,
        LEPTOS_SITE_ROOT: path.join(REPO, 'target', 'site'),
        RUST_LOG: process.env.RUST_LOG ?? 'info',
        NO_COLOR: '1',
        ...this.extraEnv,
      },
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => resolve({ code, signal }));
      this.child.once('error', (error) => resolve({ error: `could not run ${bin}: ${error.message}` }));
    });
    try {
      await this.waitUntilHealthy();
    } catch (error) {
      this.failed = true;
      throw error;
    }
  }

  async waitUntilHealthy() {
    const deadline = Date.now() + STARTUP_TIMEOUT_MS;
    let exit = null;
    this.exited.then((status) => {
      exit = status;
    });
    while (Date.now() < deadline) {
      if (exit) {
        const how = JSON.stringify(exit);
        throw new Error(`attest ${this.command} exited during start-up (${how}):\n${this.log()}`);
      }
      try {
        const response = await fetch(`${this.url}/healthz`);
        if (response.ok) return;
      } catch {
        // Not listening yet.
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`attest did not answer /healthz within ${STARTUP_TIMEOUT_MS} ms:\n${this.log()}`);
  }

  /**
   * Stops the server (SIGTERM, then SIGKILL after 5 s) and drops its database. The log is kept
   * only when a test failed.
   */
  async stop() {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM');
      const killer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
      await this.exited;
      clearTimeout(killer);
    }
    await admin((client) => client.query(`DROP DATABASE IF EXISTS "${this.database}" WITH (FORCE)`));
    if (!this.failed) rmSync(this.logPath, { force: true });
  }

  /** Everything the server has logged so far. */
  log() {
    try {
      return readFileSync(this.logPath, 'utf8');
    } catch {
      return '(no server log)';
    }
  }

  /**
   * Runs a test body; when it fails, prints the server log next to the assertion.
   *
   * @param {() => Promise<void>} body
   */
  async withLog(body) {
    try {
      await body();
    } catch (error) {
      this.failed = true;
      console.error(
        `\n----- attest server log (${this.logPath}) -----\n${this.log()}----- end of server log -----`,
      );
      throw error;
    }
  }
}

/** The caller's environment without Attest settings that could leak into the test server. */
function inheritedEnv() {
  return Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('ATTEST_') && name !== 'DATABASE_URL'),
  );
}

/** Runs `work` on a connection to the maintenance database. */
async function admin(work) {
  const client = new pg.Client({ connectionString: SERVER_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
