// The dashboard in a real browser (Debian's chromium through playwright-core), fed by
// `readme-metrics dev` running the example API: live rows, filters, the detail view with redactions,
// the charts' totals, and the HAR export; then what reads at a glance: log-scale latency, sparse traffic,
// the detail pane's list, filters keeping the charts in view, a 420 px screen. Screenshots land in
// test-output/screenshots/. Without Chromium the suite is one skipped line (a failure when CI=true).
/* global document, window -- used inside page.evaluate / waitForFunction callbacks */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { runTraffic } from '../../examples/traffic.mjs';
import { ROOT, request } from '../helpers/harness.mjs';
import { CHROMIUM, describeWithChromium } from './chromium.mjs';
import { startDevExample } from './dev-server.mjs';

const SHOTS = join(ROOT, 'test-output', 'screenshots');
const TRAFFIC = 30;

const getJson = async (url) => JSON.parse((await request(url)).body);

describeWithChromium('inspector dashboard (browser)', function () {
  this.timeout(30_000);
  let dev;
  let context;
  let page;
  let profile;
  const pageErrors = [];

  /** The collector's own view, to check the page against. */
  const serverLogs = async () => (await getJson(`${dev.dashboard}/api/summaries`)).logs;
  const rows = () => page.locator('#requests tbody tr');
  const waitForRows = (n) =>
    page.waitForFunction((count) => document.querySelectorAll('#requests tbody tr').length === count, n, { timeout: 10_000 });
  const shot = (name) => page.screenshot({ path: join(SHOTS, name), fullPage: false });

  before(async function () {
    mkdirSync(SHOTS, { recursive: true });
    dev = await startDevExample();
    profile = mkdtempSync(join(tmpdir(), 'readme-metrics-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      acceptDownloads: true,
      viewport: { width: 1440, height: 900 },
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (err) => pageErrors.push(err.message));
    // Content-Security-Policy violations and failed loads show up as console errors.
    page.on('console', (msg) => msg.type() === 'error' && pageErrors.push(msg.text()));
  });

  after(async () => {
    await context?.close();
    await dev?.stop();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  afterEach(() => {
    expect(pageErrors, 'errors in the page').to.deep.equal([]);
  });

  it('shows requests live, as the app serves them', async () => {
    await page.goto(dev.dashboard);
    await page.locator('#live[data-state="live"]').waitFor();
    await page.locator('#empty').waitFor({ state: 'visible' }); // the snapshot came, and it is empty

    await runTraffic(dev.api, { count: TRAFFIC, concurrency: 3 });
    await waitForRows(TRAFFIC); // no reload: they came over the live feed
    const logs = await serverLogs();
    expect(logs).to.have.length(TRAFFIC);
    expect(await page.locator('#empty').isVisible()).to.equal(false);
    expect(await page.locator('#count-shown').textContent()).to.equal(String(TRAFFIC));
    const newest = logs.reduce((a, b) => (Date.parse(b.startedDateTime) > Date.parse(a.startedDateTime) ? b : a));
    const first = rows().first();
    expect(await first.getAttribute('data-id')).to.equal(newest.id);
    expect(await first.locator('.c-status').textContent()).to.equal(String(newest.status));
    expect(await first.locator('.c-method').textContent()).to.equal(newest.method);
    // Route templates from the example's router, consumers from its grouping function.
    expect(await page.locator('#requests .route', { hasText: '/v1/books/:id' }).count()).to.be.greaterThan(0);
    expect(await page.locator('#requests .c-consumer', { hasText: 'Owlbert Inc.' }).count()).to.be.greaterThan(0);

    // One more request appears at the top by itself.
    await request(`${dev.api}/v1/books/1`, { headers: { 'x-api-key': 'acme-live-77d0e1' } });
    await waitForRows(TRAFFIC + 1);
    expect(await rows().first().locator('.c-path').textContent()).to.include('/v1/books/1');
    await shot('dashboard-live.png');
  });

  it('filters by status class, method, path, consumer and free text', async () => {
    const logs = await serverLogs();
    const count = (pred) => logs.filter(pred).length;

    const fiveXX = count((l) => l.status >= 500);
    expect(fiveXX).to.be.greaterThan(0);
    await page.click('.chip[data-status="5"]');
    await waitForRows(fiveXX);
    expect(await rows().evaluateAll((trs) => trs.every((tr) => tr.dataset.statusClass === '5xx'))).to.equal(true);
    expect(new URL(page.url()).searchParams.get('status')).to.equal('5');
    await shot('filter-5xx.png');
    await page.click('.chip[data-status="4"]');
    await waitForRows(count((l) => l.status >= 400));
    await page.click('#f-reset');
    await waitForRows(logs.length);

    await page.selectOption('#f-method', 'POST');
    await waitForRows(count((l) => l.method === 'POST'));
    await page.selectOption('#f-method', '');

    await page.fill('#f-path', 'books/');
    await waitForRows(count((l) => l.path.includes('books/')));
    await page.fill('#f-path', '');

    const acme = logs.find((l) => l.consumer.label === 'Acme Corp').consumer.id;
    await page.selectOption('#f-consumer', { label: 'Acme Corp' });
    await waitForRows(count((l) => l.consumer.id === acme));
    await page.selectOption('#f-consumer', '');

    // An author's name is only in response bodies: the search reaches into them.
    const hits = (await getJson(`${dev.dashboard}/api/search?q=kleppmann`)).ids;
    expect(hits.length).to.be.greaterThan(0);
    expect(hits.every((id) => logs.some((l) => l.id === id && !l.url.toLowerCase().includes('kleppmann')))).to.equal(true);
    await page.fill('#f-q', 'Kleppmann');
    await waitForRows(hits.length);
    await page.click('#f-reset');
    await waitForRows(logs.length);
    expect(new URL(page.url()).search).to.equal('');
  });

  it('shows redacted values as redacted in the detail view', async () => {
    // What the SDK redacted on its own: the password of a login.
    await page.locator('#requests tbody tr', { hasText: '/v1/login' }).first().click();
    const panel = page.locator('#detail');
    await panel.locator('.detail-body').waitFor();
    expect(new URL(page.url()).pathname).to.match(/^\/logs\/[0-9a-f-]{36}$/);
    const badge = panel.locator('[data-section="request"] [data-part="body"] .redacted');
    expect(await badge.count()).to.equal(1);
    expect(await badge.getAttribute('data-redacted')).to.match(/^\d+$/);
    expect(await panel.locator('[data-section="request"] [data-part="body"]').textContent()).not.to.match(/hunter22|battery staple/);
    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'hidden' });

    // A log posted straight to the collector, already redacted, with markup that must stay text.
    const id = randomUUID();
    await postLog(dev.dashboard, redactedLog(id));
    await page.goto(`${dev.dashboard}/logs/${id}`);
    await panel.locator('.detail-body').waitFor();
    await page.waitForSelector(`#requests tr.selected[data-id="${id}"]`);
    const reqBadges = panel.locator('[data-section="request"] .redacted');
    expect(await reqBadges.count()).to.equal(3); // header, query string, JSON body
    expect(await panel.locator('[data-section="request"] [data-part="body"] .redacted').getAttribute('data-redacted')).to.equal('8');
    expect(await panel.locator('[data-section="request"] [data-part="headers"] .redacted').getAttribute('data-redacted')).to.equal('32');
    expect(await panel.locator('[data-section="response"] .redacted').count()).to.equal(1); // "[REDACTED]" inside text
    const bodyText = await panel.locator('[data-section="request"] [data-part="body"] pre').textContent();
    expect(bodyText).to.include('"username": "owlbert"');
    expect(bodyText).to.include('"note": "<img src=x onerror=\\"window.__xss=1\\">"');
    expect(await page.evaluate(() => window.__xss)).to.equal(undefined);
    await shot('detail-redacted.png');
  });

  it('opens the log of an x-documentation-url', async () => {
    const res = await request(`${dev.api}/v1/books?q=legacy`, { headers: { 'x-api-key': 'hobby-test-12ab34' } });
    const docUrl = res.headers['x-documentation-url'];
    expect(docUrl).to.match(new RegExp(`^${dev.dashboard}/logs/[0-9a-f-]{36}$`));
    await page.goto(docUrl);
    const panel = page.locator('#detail');
    await panel.locator('.detail-body').waitFor();
    expect(await panel.getAttribute('data-id')).to.equal(docUrl.split('/').pop());
    expect(await panel.locator('.detail-url').textContent()).to.equal(`${dev.api}/v1/books?q=legacy`);
    expect(await panel.locator('[data-section="response"] [data-part="body"]').textContent()).to.include('Working Effectively with Legacy Code');
    await page.waitForSelector(`#requests tr.selected[data-id="${docUrl.split('/').pop()}"]`);
    await page.click('#detail .close');
    await panel.waitFor({ state: 'hidden' });
    expect(new URL(page.url()).pathname).to.equal('/');
  });

  it('charts the right totals', async () => {
    const logs = await serverLogs();
    await waitForRows(logs.length);
    const byClass = (c) => logs.filter((l) => Math.floor(l.status / 100) === c).length;

    const timeline = page.locator('#chart-timeline .chart-body');
    expect(await timeline.getAttribute('data-total')).to.equal(String(logs.length));
    expect(await timeline.locator('[data-kpi="requests"] b').textContent()).to.equal(String(logs.length));
    const barTotal = await timeline.locator('g.bar').evaluateAll((gs) => gs.reduce((n, g) => n + Number(g.dataset.total), 0));
    expect(barTotal).to.equal(logs.length);
    for (const c of [2, 3, 4, 5]) {
      expect(await timeline.locator(`.legend li[data-class="${c}xx"]`).getAttribute('data-count'), `${c}xx`).to.equal(String(byClass(c)));
    }

    const consumers = page.locator('#chart-consumers g.consumer-row');
    const distinctConsumers = new Set(logs.map((l) => l.consumer.id)).size;
    expect(await consumers.count()).to.equal(Math.min(8, distinctConsumers));
    expect(await consumers.evaluateAll((gs) => gs.reduce((n, g) => n + Number(g.dataset.count), 0))).to.equal(logs.length);
    const perConsumer = new Map();
    for (const l of logs) perConsumer.set(l.consumer.label, (perConsumer.get(l.consumer.label) ?? 0) + 1);
    const busiest = Math.max(...perConsumer.values());
    expect(perConsumer.get(await consumers.first().getAttribute('data-consumer'))).to.equal(busiest);

    const latency = page.locator('#chart-latency g.lat-row');
    const endpoints = new Set(logs.map((l) => `${l.method} ${l.route ?? l.path.split('?')[0]}`)).size;
    expect(await latency.count()).to.equal(Math.min(8, endpoints));
    for (const row of await latency.all()) {
      const [p50, p95, p99] = await row.evaluate((g) => [g.dataset.p50, g.dataset.p95, g.dataset.p99].map(Number));
      expect(p50).to.be.at.most(p95);
      expect(p95).to.be.at.most(p99);
    }
    const reports = page.locator('#chart-latency g.lat-row[data-endpoint="GET /v1/reports/sales"]');
    if ((await reports.count()) === 1) {
      // Nearest-rank p99 of fewer than 100 samples is the slowest one.
      const times = logs.filter((l) => l.method === 'GET' && l.path === '/v1/reports/sales').map((l) => l.time);
      expect(Number(await reports.getAttribute('data-p99'))).to.equal(Math.max(...times));
    }

    // The charts follow the filters.
    await page.click('.chip[data-status="4"]');
    await waitForRows(byClass(4));
    expect(await timeline.getAttribute('data-total')).to.equal(String(byClass(4)));
    await page.setViewportSize({ width: 1440, height: 1200 });
    await shot('charts-4xx.png');
  });

  it('exports the current selection as a valid HAR file', async () => {
    const logs = (await serverLogs()).filter((l) => l.status >= 400 && l.status < 500);
    await waitForRows(logs.length); // the 4xx filter is still on
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-har')]);
    expect(download.suggestedFilename()).to.match(/^readme-metrics-.*\.har$/);
    const har = JSON.parse(readFileSync(await download.path(), 'utf8'));
    expect(har.log.version).to.equal('1.2');
    expect(har.log.creator).to.include.keys('name', 'version');
    expect(har.log.entries).to.have.length(logs.length);
    expect(har.log.entries.map((e) => e._readme.id).sort()).to.deep.equal(logs.map((l) => l.id).sort());
    for (const e of har.log.entries) {
      expect(Number.isNaN(Date.parse(e.startedDateTime))).to.equal(false);
      expect(e.time).to.be.a('number');
      expect(e.request).to.include.keys('method', 'url', 'httpVersion', 'cookies', 'headers', 'queryString', 'headersSize', 'bodySize');
      expect(e.response).to.include.keys('status', 'statusText', 'httpVersion', 'cookies', 'headers', 'content', 'redirectURL', 'headersSize', 'bodySize');
      expect(e.response.status).to.be.within(400, 499);
      expect(e.response.content).to.include.keys('size', 'mimeType');
      expect(e.cache).to.be.an('object');
      for (const t of ['send', 'wait', 'receive']) expect(e.timings[t], t).to.be.a('number');
      if (e.pageref !== undefined) expect(har.log.pages.map((p) => p.id)).to.include(e.pageref);
    }
    await page.click('#f-reset');
  });
});

async function postLog(collectorUrl, log) {
  const res = await request(`${collectorUrl}/v1/request`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from('rdme_local:').toString('base64')}` },
    body: JSON.stringify([log]),
  });
  expect(res.status).to.equal(202);
}

/** A log as the SDK sends it once redaction ran: values replaced by "[REDACTED <length>]". */
function redactedLog(id) {
  const body = JSON.stringify({ username: 'owlbert', password: '[REDACTED 8]', note: '<img src=x onerror="window.__xss=1">' });
  return {
    _id: id,
    _version: 3,
    group: { id: 'sha512-xyz?9999', label: 'Redaction check', email: 'redact@example.com' },
    clientIPAddress: '127.0.0.1',
    development: true,
    request: {
      log: {
        version: '1.2',
        creator: { name: 'readme-metrics (node)', version: '0.0.0', comment: 'test' },
        entries: [
          {
            pageref: 'http://127.0.0.1:9/v1/session',
            startedDateTime: new Date().toISOString(),
            time: 42,
            request: {
              method: 'POST',
              url: 'http://127.0.0.1:9/v1/session?token=[REDACTED 12]',
              httpVersion: 'HTTP/1.1',
              headers: [
                { name: 'content-type', value: 'application/json' },
                { name: 'x-api-secret', value: '[REDACTED 32]' },
              ],
              queryString: [{ name: 'token', value: '[REDACTED 12]' }],
              postData: { mimeType: 'application/json', text: body },
              cookies: [],
              headersSize: -1,
              bodySize: -1,
            },
            response: {
              status: 201,
              statusText: 'Created',
              httpVersion: 'HTTP/1.1',
              headers: [{ name: 'content-type', value: 'text/plain' }],
              content: { text: 'session created for owlbert, secret=[REDACTED]', size: 45, mimeType: 'text/plain' },
              redirectURL: '',
              cookies: [],
              headersSize: -1,
              bodySize: -1,
            },
            cache: {},
            timings: { wait: 0, receive: 42 },
          },
        ],
      },
    },
  };
}
