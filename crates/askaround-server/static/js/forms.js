// Forms marked data-enhance are sent with fetch: errors appear beside the form and successes
// update the page in place. Without this script the same forms post and redirect as usual.

import { notify } from './notices.js';

export function enhanceForms() {
  document.addEventListener('submit', (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.matches('[data-enhance]')) return;
    event.preventDefault();
    send(form, event.submitter);
  });
}

async function send(form, submitter) {
  if (form.getAttribute('aria-busy') === 'true') return;
  const body = new URLSearchParams(new FormData(form, submitter));
  setBusy(form, true);
  clearError(form);
  let reply;
  try {
    const answer = await fetch(form.action, {
      method: 'POST',
      body,
      credentials: 'same-origin',
      headers: { accept: 'application/json', 'x-askaround-form': 'fetch' },
    });
    reply = await answer.json().catch(() => ({
      ok: false,
      error: `Something went wrong (the server answered ${answer.status}). Please try again.`,
    }));
  } catch {
    reply = { ok: false, error: 'askaround could not be reached. Check your connection and try again.' };
  } finally {
    setBusy(form, false);
  }
  if (!reply.ok) {
    showError(form, reply.error, reply.field);
    return;
  }
  const done = new CustomEvent('askaround:done', { detail: reply, bubbles: true, cancelable: true });
  if (!form.dispatchEvent(done)) return;
  if (reply.go) {
    location.assign(reply.go);
    return;
  }
  const result = form.querySelector('[data-form-result]');
  if (result && reply.notice) result.textContent = reply.notice;
  else if (reply.notice) notify(reply.notice);
  if (form.hasAttribute('data-reset')) form.reset();
}

function setBusy(form, busy) {
  form.setAttribute('aria-busy', String(busy));
  for (const button of form.querySelectorAll('button')) button.disabled = busy;
}

function clearError(form) {
  form.querySelector('[data-form-error]')?.remove();
  for (const field of form.querySelectorAll('[aria-invalid="true"]')) {
    field.removeAttribute('aria-invalid');
    field.removeAttribute('aria-errormessage');
  }
}

/** The error sits in the form, is announced, and the field at fault is marked and focused. */
export function showError(form, text, fieldName) {
  clearError(form);
  const error = document.createElement('p');
  error.className = 'form-error';
  error.setAttribute('role', 'alert');
  error.dataset.formError = '';
  error.id = `error-${Math.random().toString(36).slice(2)}`;
  error.textContent = text || 'That did not work. Please try again.';
  const field = fieldName && form.querySelector(`[name="${CSS.escape(fieldName)}"]:not([type="hidden"])`);
  const anchor = form.querySelector('button[type="submit"], button:not([type])');
  if (anchor) anchor.before(error);
  else form.append(error);
  if (field) {
    field.setAttribute('aria-invalid', 'true');
    field.setAttribute('aria-errormessage', error.id);
    field.focus();
  }
}
