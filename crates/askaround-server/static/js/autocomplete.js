// Autocomplete for skills (aliases understood) and colleagues: an ARIA 1.2 combobox with a
// listbox popup, driven by arrow keys, Enter and Escape. Without the script the inputs are plain
// text fields the server resolves itself.

const DELAY_MS = 120;
const SHOWN = 8;
let lists = 0;

export function enableAutocomplete() {
  // Set up lazily, the first time a field gets focus (also for cards inserted later).
  document.addEventListener('focusin', (event) => {
    const input = event.target;
    if (input instanceof HTMLInputElement && input.dataset.autocomplete && !input.dataset.comboReady) {
      setUp(input);
    }
  });
}

const SOURCES = {
  skills: {
    label: 'Matching skills',
    url: (q) => `/api/v1/skills?limit=${SHOWN}&q=${encodeURIComponent(q)}`,
    item: (s) => ({
      label: s.name,
      hint: s.parent ? `under ${s.parent.name}` : s.aliases.slice(0, 3).join(', '),
      value: s.name,
    }),
  },
  people: {
    label: 'Matching colleagues',
    url: (q) => `/api/v1/people?limit=${SHOWN}&q=${encodeURIComponent(q)}`,
    item: (p) => ({
      label: p.name,
      hint: [p.title, p.team].filter(Boolean).join(' · ') || p.email,
      value: p.name,
      id: p.id,
    }),
  },
};

function setUp(input) {
  input.dataset.comboReady = 'true';
  const source = SOURCES[input.dataset.autocomplete];
  if (!source) return;
  const multiple = input.hasAttribute('data-multiple');
  const picked = input.form?.querySelector('[data-autocomplete-id]');
  const me = document.body.dataset.me;
  const list = document.createElement('ul');
  list.id = `suggestions-${++lists}`;
  list.className = 'listbox';
  list.setAttribute('role', 'listbox');
  list.setAttribute('aria-label', source.label);
  list.hidden = true;
  input.after(list);
  input.parentElement.classList.add('combo-host');
  input.setAttribute('role', 'combobox');
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-expanded', 'false');
  input.setAttribute('aria-controls', list.id);

  let items = [];
  let active = -1;
  let asked = 0;
  let timer = null;

  const term = () => (multiple ? input.value.split(/[,;]/).pop() : input.value).trim();

  async function lookup() {
    const q = term();
    if (!q) return close();
    const mine = ++asked;
    try {
      const answer = await fetch(source.url(q), { credentials: 'same-origin' });
      if (!answer.ok || mine !== asked) return;
      const body = await answer.json();
      items = body.items.filter((x) => x.id !== me).map(source.item);
      render();
    } catch {
      close();
    }
  }

  function render() {
    active = -1;
    input.removeAttribute('aria-activedescendant');
    list.replaceChildren(...items.map((item, i) => {
      const option = document.createElement('li');
      option.id = `${list.id}-${i}`;
      option.setAttribute('role', 'option');
      option.setAttribute('aria-selected', 'false');
      option.dataset.index = String(i);
      option.textContent = item.label;
      if (item.hint) {
        const hint = document.createElement('small');
        hint.textContent = item.hint;
        option.append(hint);
      }
      return option;
    }));
    if (items.length === 0) return close();
    list.style.top = `${input.offsetTop + input.offsetHeight}px`;
    list.style.left = `${input.offsetLeft}px`;
    list.style.width = `${input.offsetWidth}px`;
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
  }

  function close() {
    list.hidden = true;
    active = -1;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
  }

  function move(step) {
    if (items.length === 0) return;
    if (list.hidden) render();
    active = (active + step + items.length) % items.length;
    for (const option of list.children) {
      option.setAttribute('aria-selected', String(option.dataset.index === String(active)));
    }
    const option = list.children[active];
    input.setAttribute('aria-activedescendant', option.id);
    option.scrollIntoView({ block: 'nearest' });
  }

  function choose(index) {
    const item = items[index];
    if (!item) return;
    if (multiple) {
      const parts = input.value.split(/[,;]/);
      parts[parts.length - 1] = item.value;
      input.value = `${parts.map((p) => p.trim()).filter(Boolean).join(', ')}, `;
    } else {
      input.value = item.value;
    }
    if (picked && item.id) picked.value = item.id;
    close();
    input.focus();
  }

  input.addEventListener('input', () => {
    if (picked) picked.value = '';
    clearTimeout(timer);
    timer = setTimeout(lookup, DELAY_MS);
  });
  input.addEventListener('keydown', (event) => {
    const open = !list.hidden;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      move(event.key === 'ArrowDown' ? 1 : -1);
    } else if (event.key === 'Enter' && open && active >= 0) {
      event.preventDefault();
      choose(active);
    } else if (event.key === 'Escape' && open) {
      event.preventDefault();
      close();
    } else if (event.key === 'Tab') {
      close();
    }
  });
  input.addEventListener('blur', () => setTimeout(close, 150));
  // Keep the focus in the field while clicking a suggestion.
  list.addEventListener('mousedown', (event) => event.preventDefault());
  list.addEventListener('click', (event) => {
    const option = event.target.closest('[role="option"]');
    if (option) choose(Number(option.dataset.index));
  });
}
