// Two helpers get the same ask; one accepts, and the other's offer disappears live.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { PHONE, Person, artifactsFor, launch } from '../lib/browser.js';
import { AskaroundServer } from '../lib/server.js';

let server;
let browser;
let learner;
let helper;
let rival;

before(async () => {
  server = await AskaroundServer.create();
  await server.start();
  browser = await launch();
  const artifacts = artifactsFor('withdrawn');
  learner = await new Person(browser, server, 'learner', { artifacts, viewport: PHONE }).open();
  helper = await new Person(browser, server, 'helper', { artifacts }).open();
  rival = await new Person(browser, server, 'rival', { artifacts }).open();
  for (const person of [learner, helper, rival]) {
    await person.acceptInvitation(server.invitations[person.who]);
  }
});

after(async () => {
  for (const person of [learner, helper, rival]) await person?.shot('end');
  await browser?.close();
  await server?.dispose();
});

test('the offer disappears live when another helper wins', async () => {
  await helper.goto('/people');
  await rival.goto('/history');
  await helper.live();
  await rival.live();

  await learner.goto('/');
  await learner.live();
  await learner.checkFitsWidth();
  await learner.page.getByLabel('Describe where you are stuck').fill('XLOOKUP returns #N/A although the value is there. Why?');
  await learner.page.getByLabel(/^Skills/).fill('Microsoft Excel');
  await learner.page.getByRole('button', { name: 'Ask around' }).click();
  await learner.page.locator('[data-status-line]').filter({ hasText: /Asking 2 colleagues/ }).waitFor();
  await learner.shot('asking-two');

  const helperOffer = helper.page.locator('[data-tray] [data-offer]');
  const rivalOffer = rival.page.locator('[data-tray] [data-offer]');
  await helperOffer.waitFor();
  await rivalOffer.waitFor();
  assert.match(await helper.page.locator('[data-offer-count]').textContent(), /^1 waiting$/);
  await helper.shot('offer-waiting');

  await rivalOffer.getByRole('button', { name: /Accept/ }).click();
  await rival.page.waitForURL(/\/conversations\//);

  // Hal's card leaves on its own, he is told why, and the badge counts down.
  await helperOffer.waitFor({ state: 'detached' });
  await helper.page.getByText('Someone else is already helping Lea Learner. Thank you anyway.').waitFor();
  assert.equal(await helper.page.locator('[data-offer-count]').isHidden(), true);
  await helper.shot('offer-withdrawn');
  await helper.checkAccessibility('a page after an offer was withdrawn');

  // The learner is taken to the conversation with the winner.
  await learner.page.waitForURL(/\/conversations\//, { timeout: 15000 });
  await learner.page.getByRole('link', { name: 'Hana Rival' }).waitFor();
  await learner.checkFitsWidth();
  await learner.shot('matched-on-phone');

  // Hal's offers page tells what happened to it.
  await helper.goto('/offers');
  await helper.page.getByText('Nothing is waiting for you.').waitFor();
  await helper.page.locator('.rows').getByText('withdrawn').waitFor();
  await helper.checkAccessibility('offers');

  for (const person of [learner, helper, rival]) person.assertNoProblems();
});

test('a helper can decline with a reason or refer a colleague instead', async () => {
  await helper.goto('/');
  await rival.goto('/');
  await helper.live();
  await rival.live();
  await learner.goto('/');
  await learner.page.getByLabel('Describe where you are stuck').fill('How do I lock the header row in Excel when printing?');
  await learner.page.getByLabel(/^Skills/).fill('Microsoft Excel');
  await learner.page.getByRole('button', { name: 'Ask around' }).click();

  // Hal suggests a colleague, picked from the people autocomplete.
  const helperOffer = helper.page.locator('[data-tray] [data-offer]');
  await helperOffer.getByText('Refer a colleague').click();
  await helperOffer.getByLabel('Who could help instead?').fill('Ivo');
  await helper.page.getByRole('option', { name: /Ivo Bystander/ }).click();
  await helper.shot('refer');
  await helperOffer.getByRole('button', { name: 'Refer' }).click();
  await helper.page.getByText('Thank you. We asked Ivo Bystander instead.').waitFor();
  await helperOffer.waitFor({ state: 'detached' });

  // Hana declines, saying why.
  const rivalOffer = rival.page.locator('[data-tray] [data-offer]');
  await rivalOffer.locator('summary', { hasText: 'Decline' }).click();
  await rivalOffer.getByLabel('Why not?').selectOption('not_my_area');
  await rivalOffer.getByRole('button', { name: 'Decline' }).click();
  await rival.page.getByText('Declined. Thank you for saying why').waitFor();
  await rivalOffer.waitFor({ state: 'detached' });

  // The learner's ask is still out: now with Ivo.
  await learner.page.locator('[data-status-line]').waitFor();
  assert.match(await learner.page.locator('[data-ask-status]').innerText(), /colleagues asked so far/);
  for (const person of [learner, helper, rival]) person.assertNoProblems();
});
