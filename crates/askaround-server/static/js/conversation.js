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

  async function append(id) {
    if (document.getElementById(`m-${id}`) || pending.has(id)) return;
    pending.add(id);
    try {
      const answer = await fetch(
        `/conversations/${encodeURIComponent(conversation)}/messages/${encodeURIComponent(id)}`,
        { credentials: 'same-origin' },
      );
      if (!answer.ok || document.getElementById(`m-${id}`)) return;
      const template = document.createElement('template');
      template.innerHTML = (await answer.text()).trim();
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
