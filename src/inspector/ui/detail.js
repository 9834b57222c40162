import { bodyView, nameValueTable } from './body-view.js';
import { bytes, clockTime, consumerName, duration, h, statusClass } from './dom.js';
import { downloadHar } from './export.js';

let current = 0;

/** Fills the side panel with one log: summary, then request and response headers and bodies. */
export async function showDetail(panel, id, { onClose }) {
  const mine = ++current;
  panel.hidden = false;
  panel.dataset.id = id;
  panel.replaceChildren(h('div', { class: 'detail-head' }, closeButton(onClose), h('p', { class: 'muted' }, 'Loading…')));
  let data;
  try {
    const res = await fetch(`/api/logs/${encodeURIComponent(id)}`);
    data = await res.json();
    if (!res.ok) throw new Error(data.error || `HTTP ${res.status}`);
  } catch (err) {
    if (mine !== current) return;
    panel.replaceChildren(
      h('div', { class: 'detail-head' }, closeButton(onClose), h('h2', {}, 'Log not found')),
      h('p', { class: 'muted pad' }, String(err.message || err)),
    );
    return;
  }
  if (mine !== current) return;
  panel.replaceChildren(render(data, onClose));
  panel.scrollTop = 0;
}

export function hideDetail(panel) {
  current++;
  panel.hidden = true;
  delete panel.dataset.id;
  panel.replaceChildren();
}

function render({ summary, log }, onClose) {
  const entry = log.request?.log?.entries?.[0] ?? {};
  const req = entry.request ?? {};
  const res = entry.response ?? {};
  const cls = statusClass(res.status);
  const group = log.group ?? {};
  return h(
    'article',
    { class: 'detail-body' },
    h(
      'div',
      { class: 'detail-head' },
      closeButton(onClose),
      h(
        'h2',
        {},
        h('span', { class: `method m-${String(req.method).toLowerCase()}` }, req.method),
        h('span', { class: `status s-${cls}` }, res.status, res.statusText ? ` ${res.statusText}` : ''),
        h('span', { class: 'detail-time' }, duration(entry.time)),
      ),
      h('p', { class: 'detail-url', title: req.url }, req.url),
      h(
        'div',
        { class: 'detail-actions' },
        h('button', { class: 'btn btn-small', type: 'button', onclick: () => downloadHar([log._id], `log-${log._id}`) }, 'Download HAR'),
        h('button', { class: 'btn btn-small btn-ghost', type: 'button', onclick: () => copyText(location.href) }, 'Copy link'),
      ),
    ),
    h(
      'dl',
      { class: 'meta' },
      meta('Consumer', `${consumerName(group)}${group.email && group.label ? ` <${group.email}>` : ''}`),
      meta('API key (masked)', group.id),
      meta('Started', `${clockTime(entry.startedDateTime)}  ${new Date(entry.startedDateTime).toDateString()}`),
      summary?.route ? meta('Route', summary.route) : null,
      meta('Client IP', log.clientIPAddress),
      meta('Log ID', log._id),
      log.development ? meta('Mode', 'development') : null,
    ),
    section(
      'Request',
      `${req.httpVersion || ''}`,
      sub('Headers', nameValueTable(req.headers, 'No headers')),
      Array.isArray(req.queryString) && req.queryString.length ? sub('Query string', nameValueTable(req.queryString, '')) : null,
      sub('Body', bodyView(req.postData), req.postData?.mimeType),
    ),
    section(
      'Response',
      `${bytes(res.content?.size)}`,
      sub('Headers', nameValueTable(res.headers, 'No headers')),
      sub('Body', bodyView(res.content), res.content?.mimeType),
    ),
  );
}

function closeButton(onClose) {
  return h('button', { class: 'close', type: 'button', title: 'Close (Esc)', 'aria-label': 'Close', onclick: onClose }, '×');
}

const meta = (label, value) => (value === undefined || value === '' ? null : [h('dt', {}, label), h('dd', {}, String(value))]);

function section(title, aside, ...children) {
  return h('section', { class: 'detail-section', dataset: { section: title.toLowerCase() } }, h('h3', {}, title, aside ? h('small', {}, aside) : null), children);
}

function sub(title, content, aside) {
  return h('details', { open: true, class: 'sub', dataset: { part: title.toLowerCase().replace(/\s+/g, '-') } }, h('summary', {}, title, aside ? h('small', {}, aside) : null), content);
}

async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // Clipboard access needs a user gesture and a secure context; the URL bar has the same link.
  }
}
