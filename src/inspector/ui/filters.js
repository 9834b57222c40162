import { $, consumerName, h, statusClass } from './dom.js';

const SEARCH_DEBOUNCE_MS = 250;

/**
 * The filter bar: status classes, method, path substring, consumer, and free-text search. Search
 * matches the row's own fields at once and, through /api/search, headers and bodies too. The state
 * is mirrored in the query string so a filtered view can be reloaded or shared. onChange({ byUser })
 * runs on every change: byUser when the user changed a filter, not when search hits came back.
 */
export function createFilters(root, onChange) {
  const state = { statuses: new Set(), method: '', path: '', consumer: '', q: '' };
  let hits = null; // ids whose headers or bodies match state.q (server answer), null while unknown
  let searchTimer;
  let searchSeq = 0;

  const chips = [...root.querySelectorAll('[data-status]')];
  const method = $('#f-method', root);
  const path = $('#f-path', root);
  const consumer = $('#f-consumer', root);
  const q = $('#f-q', root);

  readUrl();
  syncInputs();

  for (const chip of chips) {
    chip.addEventListener('click', () => {
      const c = chip.dataset.status;
      if (state.statuses.has(c)) state.statuses.delete(c);
      else state.statuses.add(c);
      changed();
    });
  }
  method.addEventListener('change', () => ((state.method = method.value), changed()));
  consumer.addEventListener('change', () => ((state.consumer = consumer.value), changed()));
  path.addEventListener('input', () => ((state.path = path.value.trim()), changed()));
  q.addEventListener('input', () => {
    state.q = q.value.trim();
    refreshSearch();
    changed();
  });
  $('#f-reset', root).addEventListener('click', () => {
    Object.assign(state, { method: '', path: '', consumer: '', q: '' });
    state.statuses.clear();
    hits = null;
    syncInputs();
    changed();
  });
  if (state.q) refreshSearch();

  function changed() {
    syncInputs();
    writeUrl();
    onChange({ byUser: true });
  }

  function syncInputs() {
    for (const chip of chips) chip.setAttribute('aria-pressed', String(state.statuses.has(chip.dataset.status)));
    method.value = state.method;
    consumer.value = state.consumer;
    if (path.value.trim() !== state.path) path.value = state.path;
    if (q.value.trim() !== state.q) q.value = state.q;
    root.classList.toggle('active', isActive());
  }

  function isActive() {
    return state.statuses.size > 0 || !!(state.method || state.path || state.consumer || state.q);
  }

  /** Asks the collector which logs match in their headers and bodies; debounced. */
  function refreshSearch() {
    clearTimeout(searchTimer);
    hits = null;
    if (!state.q) return;
    searchTimer = setTimeout(async () => {
      const mine = ++searchSeq;
      const term = state.q;
      try {
        const res = await fetch(`/api/search?q=${encodeURIComponent(term)}`);
        const body = await res.json();
        if (mine !== searchSeq || term !== state.q) return;
        hits = new Set(body.ids);
        onChange({ byUser: false });
      } catch {
        // The feed shows the connection state; the local match keeps working meanwhile.
      }
    }, SEARCH_DEBOUNCE_MS);
  }

  function matches(row) {
    if (state.statuses.size && !state.statuses.has(String(statusClass(row.status)))) return false;
    if (state.method && row.method !== state.method) return false;
    if (state.consumer && row.consumer.id !== state.consumer) return false;
    if (state.path) {
      const needle = state.path.toLowerCase();
      if (!row.path.toLowerCase().includes(needle) && !(row.route || '').toLowerCase().includes(needle)) return false;
    }
    if (state.q) {
      const needle = state.q.toLowerCase();
      const own = [row.method, row.url, row.route, row.status, row.id, row.consumer.label, row.consumer.email]
        .filter((v) => v !== undefined && v !== null)
        .join(' ')
        .toLowerCase();
      if (!own.includes(needle) && !(hits && hits.has(row.id))) return false;
    }
    return true;
  }

  /** Keeps the method and consumer menus in step with the logs seen. */
  function populate(rows) {
    const methods = [...new Set(rows.map((r) => r.method))].sort();
    const consumers = new Map();
    for (const r of rows) if (!consumers.has(r.consumer.id)) consumers.set(r.consumer.id, consumerName(r.consumer));
    if (state.method && !methods.includes(state.method)) methods.push(state.method);
    if (state.consumer && !consumers.has(state.consumer)) consumers.set(state.consumer, 'selected consumer');
    fillSelect(method, 'All methods', methods.map((m) => [m, m]));
    fillSelect(consumer, 'All consumers', [...consumers.entries()].sort((a, b) => a[1].localeCompare(b[1])));
    method.value = state.method;
    consumer.value = state.consumer;
  }

  function readUrl() {
    const p = new URLSearchParams(location.search);
    for (const c of (p.get('status') || '').split(',')) if (/^[2-5]$/.test(c)) state.statuses.add(c);
    state.method = p.get('method') || '';
    state.path = p.get('path') || '';
    state.consumer = p.get('consumer') || '';
    state.q = p.get('q') || '';
  }

  function writeUrl() {
    const p = new URLSearchParams();
    if (state.statuses.size) p.set('status', [...state.statuses].sort().join(','));
    for (const key of ['method', 'path', 'consumer', 'q']) if (state[key]) p.set(key, state[key]);
    const search = p.toString();
    history.replaceState(history.state, '', `${location.pathname}${search ? `?${search}` : ''}`);
  }

  return {
    matches,
    populate,
    isActive,
    /** New logs may match the search in their bodies: ask again, keeping the current hits meanwhile. */
    logsArrived() {
      if (!state.q) return;
      const kept = hits;
      refreshSearch();
      hits = kept;
    },
  };
}

function fillSelect(select, allLabel, entries) {
  const key = JSON.stringify(entries);
  if (select.dataset.key === key) return;
  select.dataset.key = key;
  select.replaceChildren(h('option', { value: '' }, allLabel), ...entries.map(([value, label]) => h('option', { value }, label)));
}
