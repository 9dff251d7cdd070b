// Offers arriving live: each one's card (rendered by the server, with working forms) is fetched
// and put in the tray, wherever the person is in the app. A withdrawn or expired offer leaves
// at once, with a word about why.

import { notify } from './notices.js';

const TICK_MS = 15000;

export function startOffers(live) {
  const list = document.querySelector('[data-offers]');
  if (!list) return;
  const cardOf = (id) => list.querySelector(`[data-offer="${CSS.escape(id)}"]`);

  live.addEventListener('offer.received', async ({ detail: frame }) => {
    const { offer_id: id, ask, expires_at: expires } = frame.data;
    // A replay of an offer long past its deadline is history, not news.
    if (cardOf(id) || Date.parse(expires) < Date.now()) return;
    const card = await fetchCard(id);
    // Pending no more (a replayed event), or it arrived twice meanwhile.
    if (!card || cardOf(id)) return;
    list.prepend(card);
    changed();
    if (live.isFresh(frame)) notify(`${ask.asker.name} asks for your help: “${ask.text}”`);
  });

  live.addEventListener('offer.updated', async ({ detail: frame }) => {
    const old = cardOf(frame.data.offer_id);
    const card = old && (await fetchCard(frame.data.offer_id));
    if (card && old.isConnected) old.replaceWith(card);
  });

  live.addEventListener('offer.withdrawn', ({ detail: frame }) => {
    const card = cardOf(frame.data.offer_id);
    if (!card) return;
    const asker = card.dataset.asker;
    const why = frame.data.why === 'someone_else_accepted'
      ? `Someone else is already helping ${asker}. Thank you anyway.`
      : `${asker} cancelled the ask.`;
    leave(card, why);
  });

  live.addEventListener('offer.expired', ({ detail: frame }) => {
    const card = cardOf(frame.data.offer_id);
    if (card) leave(card, `The request from ${card.dataset.asker} expired.`);
  });

  // Declined or referred from the card: it has done its job.
  list.addEventListener('askaround:done', (event) => {
    const card = event.target.closest('[data-offer]');
    if (!card || event.detail.go) return;
    event.preventDefault();
    leave(card, event.detail.notice);
  });

  list.addEventListener('click', (event) => {
    const later = event.target.closest('[data-later]');
    if (!later) return;
    later.closest('[data-offer]').classList.add('later');
    notify('It waits under Offers until it expires.');
  });

  function leave(card, why) {
    card.classList.add('leaving');
    card.setAttribute('aria-hidden', 'true');
    setTimeout(() => {
      card.remove();
      changed();
    }, 300);
    if (why) notify(why);
  }

  function changed() {
    const count = list.querySelectorAll('[data-offer]:not(.leaving)').length;
    const badge = document.querySelector('[data-offer-count]');
    if (badge) {
      badge.firstChild.textContent = String(count);
      badge.hidden = count === 0;
    }
    const empty = document.querySelector('[data-offers-empty]');
    if (empty) empty.hidden = count > 0;
    revealLater(list);
    tick(list);
  }

  changed();
  setInterval(() => tick(list), TICK_MS);
}

async function fetchCard(id) {
  try {
    const answer = await fetch(`/offers/${encodeURIComponent(id)}/card`, { credentials: 'same-origin' });
    if (!answer.ok) return null;
    const template = document.createElement('template');
    template.innerHTML = (await answer.text()).trim();
    return template.content.firstElementChild;
  } catch {
    return null;
  }
}

/** "Later" only makes sense where the script can hide a card. */
function revealLater(list) {
  if (!list.hasAttribute('data-tray')) return;
  for (const button of list.querySelectorAll('[data-later][hidden]')) button.hidden = false;
}

/** Deadlines as the time left. */
function tick(list) {
  for (const deadline of list.querySelectorAll('[data-deadline]')) {
    const minutes = Math.ceil((Date.parse(deadline.dataset.deadline) - Date.now()) / 60000);
    deadline.textContent = minutes <= 0 ? 'expiring now'
      : minutes === 1 ? 'answer within a minute'
        : minutes <= 90 ? `answer within ${minutes} minutes`
          : `answer within ${Math.round(minutes / 60)} hours`;
  }
}
