// The learner's side: after sending an ask, its status follows live in place ("Asking 3
// colleagues…", "Maria will help you") and the conversation opens when someone accepts.

import { notify } from './notices.js';

const ASK_EVENTS = ['ask.routing', 'ask.open', 'ask.matched', 'ask.expired', 'ask.cancelled', 'ask.resolved'];
const OPEN_CONVERSATION_AFTER_MS = 1200;

export function watchAsks(live) {
  const panel = document.querySelector('[data-ask-panel]');
  if (!panel) return;
  // The socket may deliver an ask's first events before the form's answer names the ask.
  const latest = new Map();

  const shownAsk = () => panel.querySelector('[data-ask-status]')?.dataset.ask;

  async function refresh(askId) {
    const before = panel.querySelector('[data-ask-status]');
    const wasWaiting = !before || ['routing', 'open'].includes(before.dataset.state);
    const card = await fetchStatus(askId);
    if (!card || shownAsk() && shownAsk() !== askId) return;
    panel.replaceChildren(card);
    const frame = latest.get(askId);
    // The event's words are the freshest (the board's honest "who will see it, and when").
    if (frame?.data.message) card.querySelector('[data-status-line]').textContent = frame.data.message;
    const conversation = frame?.type === 'ask.matched' && frame.data.conversation_id;
    if (conversation && wasWaiting) {
      card.querySelector('[data-status-line]').textContent = `${frame.data.message} Opening your conversation…`;
      setTimeout(() => location.assign(`/conversations/${conversation}`), OPEN_CONVERSATION_AFTER_MS);
    }
  }

  for (const type of ASK_EVENTS) {
    live.addEventListener(type, ({ detail: frame }) => {
      const askId = frame.data.ask_id;
      latest.set(askId, frame);
      if (shownAsk() === askId) refresh(askId);
      else if (type === 'ask.matched' && live.isFresh(frame)) {
        notify(`${frame.data.message}. Open it from your history.`);
      }
    });
  }

  const form = document.querySelector('[data-ask-form]');
  form?.addEventListener('askaround:done', (event) => {
    // Stay on the page and follow the ask here instead of going to its own page.
    event.preventDefault();
    const askId = event.detail.data.ask_id;
    form.reset();
    form.querySelector('[data-idempotency-key]').value = newKey();
    panel.replaceChildren();
    refresh(askId).then(() => panel.querySelector('h2')?.focus());
  });
}

/** A fresh idempotency key for the next ask (getRandomValues works on plain http too). */
function newKey() {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

async function fetchStatus(askId) {
  try {
    const answer = await fetch(`/asks/${encodeURIComponent(askId)}/status`, { credentials: 'same-origin' });
    if (!answer.ok) return null;
    const template = document.createElement('template');
    template.innerHTML = (await answer.text()).trim();
    const card = template.content.firstElementChild;
    card.querySelector('h2')?.setAttribute('tabindex', '-1');
    return card;
  } catch {
    return null;
  }
}
