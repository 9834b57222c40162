// The Coverage card: the API definition against the traffic (GET /api/coverage). Shown only when the
// inspector found a definition; refreshed at most every REFRESH_MS while logs arrive.
import { $, h, statusClass } from './dom.js';

const REFRESH_MS = 1000;
let timer = null;
let inFlight = false;

/** Asks for a refresh soon; several calls in a burst make one request. */
export function refreshCoverage() {
  if (timer || inFlight) return;
  timer = setTimeout(async () => {
    timer = null;
    inFlight = true;
    try {
      const res = await fetch('/api/coverage');
      if (res.ok) render(await res.json());
    } catch {
      // the live connection shows the inspector is gone
    } finally {
      inFlight = false;
    }
  }, REFRESH_MS);
}

function render(report) {
  const card = $('#coverage');
  if (!report.definition) {
    card.hidden = true;
    return;
  }
  card.hidden = false;
  $('#coverage-file').textContent = report.definition;
  card.classList.toggle('broken', !!report.error);
  if (report.error) {
    // The file is read again once it changes: fixing it brings the card back.
    $('#coverage-summary').textContent = `could not use it: ${report.error}`;
    $('#coverage-ops tbody').replaceChildren();
    $('#coverage-never').replaceChildren();
    $('#coverage-undocumented').replaceChildren();
    return;
  }
  const called = report.operations.length - report.neverCalled.length;
  $('#coverage-summary').textContent = `${called} of ${report.operations.length} documented operations called; ${report.undocumented.length} undocumented endpoint${report.undocumented.length === 1 ? '' : 's'} called`;

  $('#coverage-ops tbody').replaceChildren(
    ...report.operations.map((op) =>
      h(
        'tr',
        { class: op.calls ? '' : 'never', dataset: { op: `${op.method} ${op.path}` } },
        h('td', { class: 'c-method' }, h('span', { class: `method m-${op.method.toLowerCase()}` }, op.method)),
        h('td', { class: 'c-path' }, op.path),
        h('td', { class: 'num' }, op.calls || 'never'),
        h('td', { class: 'num' }, op.calls ? `${Math.round(op.errorRate * 100)}%` : '–'),
        h('td', { class: 'num' }, op.p50 === null ? '–' : `${op.p50} ms`),
        h('td', { class: 'num' }, op.p95 === null ? '–' : `${op.p95} ms`),
        h('td', { class: 'c-undoc-status' }, op.undocumentedStatuses.map((code) => h('span', { class: `status s-${statusClass(code)}`, title: 'returned but not documented' }, code))),
      ),
    ),
  );
  list(
    '#coverage-never',
    report.neverCalled.map((op) => `${op.method} ${op.path}`),
    'Every documented operation was called.',
  );
  list(
    '#coverage-undocumented',
    report.undocumented.map((u) => `${u.method} ${u.endpoint} (${u.calls} call${u.calls === 1 ? '' : 's'}: ${Object.keys(u.statuses).join(', ')})`),
    'Every endpoint called is documented.',
  );
}

function list(selector, items, none) {
  const el = $(selector);
  el.replaceChildren(...(items.length ? items.map((text) => h('li', null, text)) : [h('li', { class: 'muted' }, none)]));
}
