// The conversation page: messages from everyone appear as they are sent (and any missed while
// disconnected, via the live catch-up); the composer sends without reloading.

import { notify } from './notices.js';

export function startConversation(live) {
  const log = document.querySelector('[data-messages]');
  if (!log) return;
  const conversation = log.dataset.conversation;
  const composer = document.querySelector('[data-composer]');

  live.addEventListener('message.created', ({ detail: frame }) => {
    if (frame.data.conversation_id === conversation) append(frame.data.message.id);
  });
  // The event names the ask (its conversation_id is not filled in for a resolution).
  live.addEventListener('ask.resolved', ({ detail: frame }) => {
    if (frame.data.ask_id !== log.dataset.ask) return;
    notify('The conversation was closed. Thank you!');
    setTimeout(() => location.reload(), 1500);
  });

  // What this page sent shows at once; the live copy of it is then skipped.
  document.addEventListener('askaround:done', (event) => {
    const id = event.detail.data?.message_id;
    if (id && event.target.closest('main')) append(id);
    if (event.target === composer) composer.querySelector('textarea').focus();
  });

  composer?.querySelector('textarea').addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      composer.requestSubmit();
    }
  });

  const nearBottom = () => window.innerHeight + window.scrollY >= document.body.scrollHeight - 160;
  const pending = new Set();

  // A message is fetched once even when both the composer and the live event name it, so a
  // fetch that fails (a busy server, a dropped connection) is retried rather than leaving the
  // message unseen until a reload.
  const RETRY_DELAYS_MS = [250, 1000, 3000];

  async function fetchMessage(id) {
    const url = `/conversations/${encodeURIComponent(conversation)}/messages/${encodeURIComponent(id)}`;
    for (let attempt = 0; ; attempt += 1) {
      try {
        const answer = await fetch(url, { credentials: 'same-origin' });
        if (answer.ok) return await answer.text();
        // A message this page may not see will not appear by asking again.
        if (answer.status === 403 || answer.status === 404) return null;
      } catch {
        // offline for a moment: try again below
      }
      if (attempt >= RETRY_DELAYS_MS.length) return null;
      await new Promise((resolve) => setTimeout(resolve, RETRY_DELAYS_MS[attempt]));
    }
  }

  async function append(id) {
    if (document.getElementById(`m-${id}`) || pending.has(id)) return;
    pending.add(id);
    try {
      const html = await fetchMessage(id);
      if (html === null) {
        notify('A new message could not be shown; reload the page to see it.', { error: true });
        return;
      }
      if (document.getElementById(`m-${id}`)) return;
      const template = document.createElement('template');
      template.innerHTML = html.trim();
      const follow = nearBottom();
      log.append(template.content);
      document.querySelector('[data-no-messages]')?.remove();
      if (follow) window.scrollTo({ top: document.body.scrollHeight });
    } finally {
      pending.delete(id);
    }
  }

  if (log.lastElementChild) window.scrollTo({ top: document.body.scrollHeight });
}
