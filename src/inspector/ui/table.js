import { clockTime, consumerName, duration, h, statusClass } from './dom.js';

/** Rows drawn at most; the counter says how many more match. */
export const MAX_ROWS = 500;

/**
 * The request list, the most recently started first (a slow request arrives late but keeps its place).
 * Rows that arrived since the last render (`seq > freshAfter`) get a brief highlight.
 */
export function renderTable(tbody, rows, { selectedId, freshAfter, onSelect }) {
  const shown = rows
    .map((r) => ({ r, t: Date.parse(r.startedDateTime) || 0 }))
    .sort((a, b) => b.t - a.t || b.r.seq - a.r.seq)
    .slice(0, MAX_ROWS)
    .map((x) => x.r);
  tbody.replaceChildren(
    ...shown.map((r) => {
      const cls = statusClass(r.status);
      const tr = h(
        'tr',
        {
          class: [r.seq > freshAfter ? 'fresh' : '', r.id === selectedId ? 'selected' : ''].filter(Boolean).join(' ') || undefined,
          dataset: { id: r.id, seq: r.seq, status: r.status, statusClass: `${cls}xx`, method: r.method },
          tabindex: '0',
          'aria-selected': String(r.id === selectedId),
        },
        h('td', { class: 'c-time', title: r.startedDateTime }, clockTime(r.startedDateTime)),
        h('td', { class: 'c-method' }, h('span', { class: `method m-${r.method.toLowerCase()}` }, r.method)),
        h(
          'td',
          { class: 'c-path', title: r.url },
          r.route ? [h('span', { class: 'route' }, r.route), h('span', { class: 'path muted' }, r.path)] : h('span', { class: 'path' }, r.path),
        ),
        h('td', { class: 'c-status' }, h('span', { class: `status s-${cls}` }, r.status)),
        h('td', { class: 'c-time-taken' }, duration(r.time)),
        h('td', { class: 'c-consumer', title: r.consumer.email || r.consumer.id }, consumerName(r.consumer)),
      );
      tr.addEventListener('click', () => onSelect(r.id));
      tr.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          onSelect(r.id);
        }
      });
      return tr;
    }),
  );
  return shown.length;
}
