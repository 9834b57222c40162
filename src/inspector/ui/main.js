import { renderConsumers, renderLatency, renderTimeline } from './charts.js';
import { hideDetail, showDetail } from './detail.js';
import { $, h } from './dom.js';
import { downloadHar, downloadInferredOpenApi } from './export.js';
import { createFilters } from './filters.js';
import { refreshCoverage } from './coverage.js';
import { connectLive } from './live.js';
import { MAX_ROWS, renderTable } from './table.js';

const MIN_RENDER_GAP_MS = 150;

const state = {
  rows: [], // summaries, oldest first
  maxEntries: 5000,
  selectedId: null,
  renderedSeq: Infinity, // rows newer than this at the next render are highlighted as fresh
  loaded: false, // the first snapshot arrived: an empty list now means "nothing yet"
};

let pending = false; // a render is scheduled
let lastRender = 0;
let resizeTimer;

const panel = $('#detail');
let chartsIntoView = false; // a filter changed: the next render brings the charts, which follow it, into view
const filters = createFilters($('#filters'), ({ byUser }) => {
  if (byUser) chartsIntoView = true;
  scheduleRender();
});

connectLive({
  snapshot(data) {
    state.rows = data.logs;
    state.maxEntries = data.maxEntries;
    state.renderedSeq = lastSeq();
    state.loaded = true;
    scheduleRender();
  },
  logs(list) {
    const seen = lastSeq();
    for (const row of list) if (row.seq > seen) state.rows.push(row);
    if (state.rows.length > state.maxEntries) state.rows.splice(0, state.rows.length - state.maxEntries);
    filters.logsArrived();
    scheduleRender();
  },
  clear() {
    state.rows = [];
    scheduleRender();
  },
  status(status) {
    const live = $('#live');
    live.dataset.state = status;
    $('#live-text').textContent = status === 'live' ? 'live' : status === 'closed' ? 'disconnected' : 'reconnecting…';
  },
});

$('#export-har').addEventListener('click', () => {
  const ids = state.rows.filter(filters.matches).map((r) => r.id);
  if (ids.length) downloadHar(ids).catch((err) => alert(err.message));
});
$('#export-openapi').addEventListener('click', () => downloadInferredOpenApi().catch((err) => alert(err.message)));
$('#clear').addEventListener('click', () => fetch('/api/logs', { method: 'DELETE' }));
document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape' && state.selectedId) closeDetail();
});
window.addEventListener('popstate', route);
// Charts are drawn to their card's width: redraw when it changes (window resize, detail panel).
let chartsWidth = 0;
new ResizeObserver(([entry]) => {
  const width = Math.round(entry.contentRect.width);
  if (width === chartsWidth) return;
  chartsWidth = width;
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(scheduleRender, 80);
}).observe($('.charts'));
route();

function lastSeq() {
  return state.rows.length ? state.rows[state.rows.length - 1].seq : 0;
}

/** /logs/<id> opens that log: the x-documentation-url of each response points here. */
function route() {
  const m = /^\/logs\/([^/]+)$/.exec(location.pathname);
  const id = m ? decodeURIComponent(m[1]) : null;
  state.selectedId = id;
  document.body.classList.toggle('has-detail', !!id);
  if (id) showDetail(panel, id, { onClose: closeDetail });
  else hideDetail(panel);
  scheduleRender();
}

function select(id) {
  if (id === state.selectedId) return;
  history.pushState(null, '', `/logs/${encodeURIComponent(id)}${location.search}`);
  route();
}

function closeDetail() {
  history.pushState(null, '', `/${location.search}`);
  route();
}

function scheduleRender() {
  if (pending) return;
  pending = true;
  const wait = Math.max(0, MIN_RENDER_GAP_MS - (performance.now() - lastRender));
  setTimeout(() => requestAnimationFrame(render), wait);
}

function render() {
  pending = false;
  lastRender = performance.now();
  const rows = state.rows.filter(filters.matches);
  filters.populate(state.rows);

  const shown = renderTable($('#requests tbody'), rows, { selectedId: state.selectedId, freshAfter: state.renderedSeq, onSelect: select });
  state.renderedSeq = lastSeq();
  renderTimeline($('#chart-timeline .chart-body'), rows);
  renderLatency($('#chart-latency .chart-body'), rows);
  renderConsumers($('#chart-consumers .chart-body'), rows);
  if (chartsIntoView) {
    chartsIntoView = false;
    // Scrolled down the list, a filter would change charts out of sight (and the shorter list
    // leaves the page scrolled to its end): bring their top back.
    const charts = $('.charts');
    if (charts.getBoundingClientRect().top < $('.content').getBoundingClientRect().top) charts.scrollIntoView({ block: 'start' });
  }

  const total = state.rows.length;
  $('#counts').replaceChildren(
    h('b', { id: 'count-shown' }, rows.length),
    filters.isActive() ? ` of ${total} requests` : ` request${total === 1 ? '' : 's'}`,
  );
  $('#list-note').textContent = rows.length > shown ? `Showing the newest ${MAX_ROWS} of ${rows.length}; filter to narrow down.` : '';
  $('#export-har').disabled = rows.length === 0;
  // The inferred document covers every log held, whatever the filters.
  $('#export-openapi').disabled = total === 0;
  $('#export-har .n').textContent = rows.length ? ` (${rows.length})` : '';
  $('#empty').hidden = !state.loaded || total > 0;
  $('#no-match').hidden = total === 0 || rows.length > 0;
  document.title = `${total ? `(${total}) ` : ''}readme-metrics inspector`;
  refreshCoverage();
}

$('#ingest-url').textContent = location.origin;
