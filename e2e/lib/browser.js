// Headless Debian Chromium driven by playwright-core, one browser context per person, with
// screenshots of each step, axe-core on every page, and no tolerance for script errors.

import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium } from 'playwright-core';

import { PASSWORD, repoRoot } from './server.js';

const require = createRequire(import.meta.url);
const axeSource = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');

export const PHONE = { width: 375, height: 812 };
export const DESKTOP = { width: 1280, height: 860 };

/** Chromium as Debian ships it. Playwright gives it a fresh temporary --user-data-dir. */
export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--disable-quic',
    ],
  });
}

/** One person's browser: its own cookies, viewport and screenshots folder. */
export class Person {
  constructor(browser, server, who, { viewport = DESKTOP, artifacts } = {}) {
    this.browser = browser;
    this.server = server;
    this.who = who;
    this.viewport = viewport;
    this.artifacts = artifacts;
    this.problems = [];
    // Chromium reports a refused WebSocket or fetch as a console error; while the server is
    // down on purpose, those are expected.
    this.expectOutage = false;
    this.shots = 0;
  }

  async open() {
    this.context = await this.browser.newContext({ viewport: this.viewport, baseURL: this.server.url });
    this.page = await this.context.newPage();
    this.page.on('pageerror', (error) => this.problems.push(`page error: ${error.message}`));
    this.page.on('console', (message) => {
      if (message.type() !== 'error') return;
      const text = message.text();
      // Chromium also logs every 4xx/5xx answer; those are judged below, by what was asked.
      if (text.startsWith('Failed to load resource: the server responded')) return;
      const outage = /WebSocket|ERR_CONNECTION_REFUSED|net::ERR/.test(text);
      if (!(this.expectOutage && outage)) this.problems.push(`console error: ${text}`);
    });
    // A missing stylesheet, script or image is a bug; so is any server error. A refused form
    // (409, 422…) is not: the page shows why, and the tests check that.
    this.page.on('response', (response) => {
      const type = response.request().resourceType();
      const status = response.status();
      if (status >= 500 || (status >= 400 && ['stylesheet', 'script', 'image', 'font'].includes(type))) {
        this.problems.push(`${status} for ${type} ${response.url()}`);
      }
    });
    return this;
  }

  /** Accepts the invitation: chooses a password, which signs in. */
  async acceptInvitation(token) {
    await this.page.goto(`/invite/${token}`);
    await this.page.getByLabel('New password').fill(PASSWORD);
    await Promise.all([
      this.page.waitForURL((url) => !url.pathname.startsWith('/invite/')),
      this.page.getByRole('button', { name: 'Set password and sign in' }).click(),
    ]);
  }

  /** Waits until the page's live connection is open (the person counts as online). */
  async live() {
    await this.page.waitForSelector('body[data-connection="live"]', { timeout: 15000 });
  }

  async goto(pathname) {
    await this.page.goto(pathname);
  }

  async shot(name) {
    if (!this.artifacts) return;
    await mkdir(this.artifacts, { recursive: true });
    this.shots += 1;
    const file = path.join(this.artifacts, `${String(this.shots).padStart(2, '0')}-${this.who}-${name}.png`);
    await this.page.screenshot({ path: file, fullPage: false });
  }

  /** axe-core on the current page: no serious or critical violation. */
  async checkAccessibility(label = this.page.url()) {
    await this.page.evaluate(axeSource);
    const violations = await this.page.evaluate(async () => {
      const results = await globalThis.axe.run(document, { resultTypes: ['violations'] });
      return results.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(' | ')}`);
    });
    assert.deepEqual(violations, [], `axe on ${label}`);
  }

  /** The page never scrolls sideways (a phone layout that fits). */
  async checkFitsWidth() {
    const [scroll, width] = await this.page.evaluate(() => [
      document.documentElement.scrollWidth, document.documentElement.clientWidth,
    ]);
    assert.ok(scroll <= width, `${this.page.url()} is ${scroll}px wide in a ${width}px viewport`);
  }

  assertNoProblems() {
    assert.deepEqual(this.problems, [], `${this.who}'s browser reported errors`);
  }

  async close() {
    await this.context?.close();
  }
}

export function artifactsFor(test) {
  return path.join(repoRoot, 'test-artifacts', test);
}
