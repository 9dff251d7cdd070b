// askaround's page script: progressive enhancement of server-rendered pages. Everything works
// without it; with it, events arrive live, forms answer in place and fields autocomplete.

import { enableAutocomplete } from './autocomplete.js';
import { watchAsks } from './asks.js';
import { startConversation } from './conversation.js';
import { enhanceForms } from './forms.js';
import { Live } from './live.js';
import { notify, showConnection } from './notices.js';
import { startOffers } from './offers.js';

const me = document.body.dataset.me;
if (me) {
  const live = new Live(me);
  enhanceForms();
  enableAutocomplete();
  showConnection(live);
  startOffers(live);
  watchAsks(live);
  startConversation(live);
  live.addEventListener('helper.snoozed', ({ detail: frame }) => {
    if (live.isFresh(frame)) {
      notify(frame.data.message || 'You missed a few offers, so we paused them. Set your presence to get them again.');
    }
  });
  live.addEventListener('conversation.opened', ({ detail: frame }) => {
    const by = frame.data.added_by?.name;
    if (by && live.isFresh(frame)) notify(`${by} added you to a conversation. Find it in your history.`);
  });
  live.start();
}
