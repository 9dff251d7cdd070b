// The whole story in two browsers: the learner (desktop) asks, the helper (a phone) sees the
// offer live and accepts, they talk, propose a time, the learner closes with a rating and thanks,
// and the helper's page shows the new evidence.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { PHONE, Person, artifactsFor, launch } from '../lib/browser.js';
import { AskaroundServer, PEOPLE } from '../lib/server.js';

let server;
let browser;
let learner;
let helper;

before(async () => {
  server = await AskaroundServer.create();
  await server.start();
  browser = await launch();
  const artifacts = artifactsFor('story');
  learner = await new Person(browser, server, 'learner', { artifacts }).open();
  helper = await new Person(browser, server, 'helper', { artifacts, viewport: PHONE }).open();
  await learner.acceptInvitation(server.invitations.learner);
  await helper.acceptInvitation(server.invitations.helper);
});

after(async () => {
  // The last screen of each person: what a failure looked like.
  await learner?.shot('end');
  await helper?.shot('end');
  await browser?.close();
  await server?.dispose();
});

test('a learner gets help from a colleague and the help becomes evidence', async () => {
  const { page: lp } = learner;
  const { page: hp } = helper;

  // The helper just has the app open, somewhere: that makes them available.
  await helper.goto('/board');
  await helper.live();
  await helper.checkAccessibility('board (phone)');
  await helper.checkFitsWidth();

  await learner.goto('/');
  await learner.live();
  await learner.checkAccessibility('the ask box');
  await lp.getByLabel('Describe where you are stuck').fill(
    'How do I make my pivot table pick up the rows I add to the sheet later?',
  );
  // Skills autocomplete from the taxonomy; pick the suggestion with the keyboard.
  const skills = lp.getByLabel(/^Skills/);
  await skills.fill('pivot');
  await lp.getByRole('option', { name: /Pivot tables/ }).waitFor();
  await learner.shot('skills-autocomplete');
  await skills.press('ArrowDown');
  await skills.press('Enter');
  assert.match(await skills.inputValue(), /^Pivot tables, $/);
  await lp.getByLabel('Right now').check();
  await lp.getByLabel('Chat').check();
  await learner.shot('ask-box');
  await lp.getByRole('button', { name: 'Ask around' }).click();

  // Live status, without leaving the page.
  const status = lp.locator('[data-ask-panel] [data-status-line]');
  await status.filter({ hasText: /Asking \d+ colleagues? who can help/ }).waitFor();
  assert.equal(new URL(lp.url()).pathname, '/');
  await learner.shot('asking');

  // The helper, on another page, sees the offer arrive with why they were picked.
  const offer = hp.locator('[data-tray] [data-offer]');
  await offer.waitFor();
  await hp.getByText('pick up the rows I add').first().waitFor();
  assert.match(await offer.innerText(), /Lea Learner needs help with Pivot tables/);
  assert.match(await offer.innerText(), /Why you:/);
  await helper.shot('offer-arrives');
  await helper.checkAccessibility('board with an offer (phone)');
  await helper.checkFitsWidth();

  await offer.getByRole('button', { name: /Accept/ }).click();
  await hp.waitForURL(/\/conversations\//);
  await hp.getByRole('heading', { name: /pivot table pick up the rows/ }).waitFor();
  await helper.shot('conversation-opens');

  // The learner's page follows: matched, then the conversation opens by itself.
  await lp.waitForURL(/\/conversations\//, { timeout: 15000 });
  const conversation = new URL(lp.url()).pathname;
  assert.equal(new URL(hp.url()).pathname, conversation);
  await learner.live();
  await helper.live();

  // They talk: each message appears on the other side without a reload.
  await lp.getByLabel('Message', { exact: true }).fill('Hi Hal! My source range stops at row 200 and new rows are ignored.');
  await lp.getByLabel('Message', { exact: true }).press('Control+Enter');
  await hp.getByText('new rows are ignored').waitFor();
  await hp.getByLabel('Message', { exact: true }).fill('Turn the range into a table (Ctrl+T) and point the pivot at the table name.');
  await hp.getByRole('button', { name: 'Send' }).click();
  await lp.getByText('point the pivot at the table name').waitFor();
  assert.equal(await lp.locator('[data-message]').count(), 2);
  assert.equal(await hp.locator('[data-message]').count(), 2);
  await helper.shot('talking');

  // The helper proposes a time; the learner can download it as an .ics file.
  await hp.getByText('Propose a time').click();
  await hp.getByLabel('Minutes').fill('15');
  await hp.getByLabel('Title (optional)').fill('Pivot tables, live');
  await hp.getByRole('button', { name: 'Propose' }).click();
  const ics = lp.getByRole('link', { name: 'Add to calendar (.ics)' });
  await ics.waitFor();
  const [download] = await Promise.all([lp.waitForEvent('download'), ics.click()]);
  const calendar = await (await download.createReadStream()).toArray();
  const text = Buffer.concat(calendar).toString('utf8');
  assert.match(text, /BEGIN:VCALENDAR/);
  assert.match(text, /SUMMARY:Pivot tables\\, live/);
  // A call link, and a colleague pulled in: both show up on the other side live.
  await hp.getByText('Propose a call').click();
  await hp.getByLabel('Meeting link').fill('https://meet.example.com/pivot-help');
  await hp.getByRole('button', { name: 'Share the link' }).click();
  await lp.getByRole('link', { name: /meet\.example\.com\/pivot-help/ }).waitFor();
  await lp.getByText('Add a colleague').click();
  await lp.getByLabel('Colleague').fill('Ivo');
  await lp.getByRole('option', { name: /Ivo Bystander/ }).click();
  await lp.getByRole('button', { name: 'Add to the conversation' }).click();
  await lp.getByText('Ivo Bystander joined the conversation.').waitFor();
  await hp.getByText('Lea Learner added Ivo Bystander').waitFor();
  await learner.shot('conversation');
  await learner.checkAccessibility('the conversation');
  await helper.checkAccessibility('the conversation (phone)');
  await helper.checkFitsWidth();

  // The learner closes the loop: rating, what they learned, thanks.
  await lp.getByLabel('5 (very)').check();
  await lp.getByLabel('What I learned').fill('Pivot tables');
  await lp.getByLabel('Thank-you note (optional)').fill('Thank you Hal, tables fixed it!');
  await lp.getByRole('button', { name: 'Close the conversation' }).click();
  await lp.getByRole('heading', { name: /^Closed/ }).waitFor();
  assert.match(await lp.locator('.closed').innerText(), /Rated 5 out of 5/);
  await learner.shot('closed');
  // The helper sees it closed too (the page reloads itself when the ask is resolved).
  await hp.getByRole('heading', { name: /^Closed/ }).waitFor({ timeout: 10000 });
  await hp.getByText('Thank you Hal, tables fixed it!').waitFor();

  // The evidence: on Hal's page for everyone, and in his own profile and history.
  await learner.goto('/people?skill=pivot%20tables');
  await lp.getByRole('link', { name: PEOPLE.helper.name }).click();
  await lp.getByText('Helped 1 colleague · rated 5.0 out of 5 on average (1 rating)').waitFor();
  assert.match(await lp.locator('[aria-label="Skills helped with"]').innerText(), /Pivot tables/);
  await learner.shot('helper-page-evidence');
  await learner.checkAccessibility("the helper's page");
  await helper.goto('/profile');
  await hp.getByText('Helped 1 colleague · rated 5.0').waitFor();
  await helper.checkAccessibility('my profile (phone)');
  await helper.checkFitsWidth();
  await helper.shot('profile-evidence');
  await helper.goto('/history');
  await hp.getByText('Thank you Hal, tables fixed it!').waitFor();
  await learner.goto('/history');
  await lp.locator('#learned-h + ul, #learned-h ~ ul').getByText('Pivot tables').first().waitFor();
  await learner.checkAccessibility('my history');

  learner.assertNoProblems();
  helper.assertNoProblems();
});
