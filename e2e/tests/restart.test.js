// The server dies mid-conversation and comes back: both pages say so, reconnect by themselves,
// and a message sent while one of them was still away is caught up from the last event it saw.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { Person, artifactsFor, launch } from '../lib/browser.js';
import { AskaroundServer } from '../lib/server.js';

let server;
let browser;
let learner;
let helper;
/** While true, the helper's page cannot reach the event socket (as if its network were down). */
let helperCutOff = false;
const helperSocketUrls = [];

before(async () => {
  server = await AskaroundServer.create();
  await server.start();
  browser = await launch();
  const artifacts = artifactsFor('restart');
  learner = await new Person(browser, server, 'learner', { artifacts }).open();
  helper = await new Person(browser, server, 'helper', { artifacts }).open();
  await helper.page.routeWebSocket(/\/api\/v1\/events/, (socket) => {
    helperSocketUrls.push(socket.url());
    if (helperCutOff) socket.close({ code: 1006, reason: 'cut off' });
    else socket.connectToServer();
  });
  await learner.acceptInvitation(server.invitations.learner);
  await helper.acceptInvitation(server.invitations.helper);
});

after(async () => {
  await learner?.shot('end');
  await helper?.shot('end');
  await browser?.close();
  await server?.dispose();
});

test('pages reconnect after a server restart and catch up on what they missed', async () => {
  const { page: lp } = learner;
  const { page: hp } = helper;
  await helper.goto('/');
  await helper.live();
  await learner.goto('/');
  await learner.live();
  await lp.getByLabel('Describe where you are stuck').fill('Conditional formatting ignores my formula, what am I missing?');
  await lp.getByLabel(/^Skills/).fill('Microsoft Excel');
  await lp.getByRole('button', { name: 'Ask around' }).click();
  await hp.locator('[data-tray] [data-offer]').getByRole('button', { name: /Accept/ }).click();
  await hp.waitForURL(/\/conversations\//);
  await lp.waitForURL(/\/conversations\//, { timeout: 15000 });
  await learner.live();
  await helper.live();

  // The server is killed: both pages say so instead of failing silently.
  learner.expectOutage = true;
  helper.expectOutage = true;
  await server.kill();
  const banner = 'Connection lost. Reconnecting…';
  await lp.getByText(banner).waitFor();
  await hp.getByText(banner).waitFor();
  await learner.shot('connection-lost');

  // It comes back on the same port and database; the learner's page reconnects by itself.
  helperCutOff = true;
  await server.start();
  await lp.waitForSelector('body[data-connection="live"]', { timeout: 20000 });
  assert.equal(await lp.getByText(banner).isHidden(), true);
  learner.expectOutage = false;

  // While the helper is still away, the learner writes.
  await lp.getByLabel('Message', { exact: true }).fill('Still there? The server blinked.');
  await lp.getByRole('button', { name: 'Send' }).click();
  await lp.locator('[data-message]').getByText('The server blinked').waitFor();

  // The helper's connection returns: the missed message arrives without a reload, replayed
  // from the last event id the page had seen.
  const urlsBefore = helperSocketUrls.length;
  helperCutOff = false;
  await hp.evaluate(() => window.dispatchEvent(new Event('online')));
  await hp.waitForSelector('body[data-connection="live"]', { timeout: 20000 });
  await hp.locator('[data-message]').getByText('The server blinked').waitFor();
  const resumed = new URL(helperSocketUrls.at(-1));
  assert.ok(helperSocketUrls.length > urlsBefore);
  assert.ok(Number(resumed.searchParams.get('after')) > 0, `resumed from ${resumed.search}`);
  helper.expectOutage = false;
  await helper.shot('caught-up');

  // And live again both ways.
  await hp.getByLabel('Message', { exact: true }).fill('Yes! Caught up. Check the "Applies to" range.');
  await hp.getByRole('button', { name: 'Send' }).click();
  await lp.getByText('Check the "Applies to" range.').waitFor();
  await learner.shot('live-again');

  learner.assertNoProblems();
  helper.assertNoProblems();
});
