// Short-lived messages ("toasts") in a polite live region, and the connection banner.

const SHOW_MS = 7000;

/** Shows `text` for a few seconds (errors stay until dismissed). */
export function notify(text, { error = false } = {}) {
  const region = document.querySelector('[data-toasts]');
  if (!region || !text) return;
  const toast = document.createElement('div');
  toast.className = error ? 'toast error' : 'toast';
  toast.setAttribute('role', error ? 'alert' : 'status');
  const words = document.createElement('span');
  words.textContent = text;
  const close = document.createElement('button');
  close.type = 'button';
  close.textContent = '×';
  close.setAttribute('aria-label', 'Dismiss');
  close.addEventListener('click', () => toast.remove());
  toast.append(words, close);
  region.append(toast);
  if (!error) setTimeout(() => toast.remove(), SHOW_MS);
}

const CONNECTION_WORDS = {
  reconnecting: 'Connection lost. Reconnecting…',
  'signed-out': 'Your session has ended. Sign in again to get live updates.',
};

/** Keeps the banner under the header in step with the live connection. */
export function showConnection(live) {
  const banner = document.querySelector('[data-connection]');
  if (!banner) return;
  let wasDown = false;
  let pending = null;
  live.addEventListener('connection', ({ detail: state }) => {
    // For styling and for the browser tests: live, reconnecting or signed-out.
    document.body.dataset.connection = state;
    clearTimeout(pending);
    if (state === 'live') {
      banner.hidden = true;
      banner.textContent = '';
      if (wasDown) notify('Reconnected. You are up to date.');
      wasDown = false;
      return;
    }
    wasDown = true;
    // A blip shorter than a second is not worth a banner.
    pending = setTimeout(() => {
      banner.textContent = CONNECTION_WORDS[state] ?? '';
      if (state === 'signed-out') {
        const link = document.createElement('a');
        link.href = `/signin?next=${encodeURIComponent(location.pathname)}`;
        link.textContent = ' Sign in';
        banner.append(link);
      }
      banner.hidden = false;
    }, state === 'reconnecting' ? 1000 : 0);
  });
}
