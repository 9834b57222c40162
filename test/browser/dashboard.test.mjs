// The dashboard in a real browser (Debian's chromium through playwright-core), fed by
// `readme-metrics dev` running the example API: live rows, filters, the detail view with redactions,
// the charts' totals, the HAR export, and that pages of other origins can neither store nor read logs;
// then what reads at a glance: log-scale latency, sparse traffic, the detail pane's list, filters keeping
// the charts in view, a 420 px screen. Screenshots land in test-output/screenshots/. Without Chromium
// the suite is one skipped line (a failure when CI=true).
/* global document, window -- used inside page.evaluate / waitForFunction callbacks */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { runTraffic } from '../../examples/traffic.mjs';
import { ROOT, request } from '../helpers/harness.mjs';
import { CHROMIUM, describeWithChromium, openPage } from './chromium.mjs';
import { startDevExample } from './dev-server.mjs';

const SHOTS = join(ROOT, 'test-output', 'screenshots');
const TRAFFIC = 30;
/** The least a non-empty chart bar may measure (px), as charts.js draws it. */
const MIN_BAR_PX = 4;

const getJson = async (url) => JSON.parse((await request(url)).body);

/** Where the list's parts are and how they are laid out: what a failed layout check reports. */
function layoutState(page) {
  return page.evaluate(() => {
    const box = (el) => {
      if (!el) return null;
      const r = el.getBoundingClientRect();
      return { left: Math.round(r.left), top: Math.round(r.top), width: Math.round(r.width), display: window.getComputedStyle(el).display };
    };
    return {
      viewport: [window.innerWidth, window.innerHeight],
      bodyClass: document.body.className,
      content: box(document.querySelector('.content')),
      detail: box(document.querySelector('#detail')),
      table: box(document.querySelector('#requests')),
      headers: [...document.querySelectorAll('#requests th')].map((th) => [th.className, box(th)]),
      rows: [...document.querySelectorAll('#requests tbody tr')].slice(0, 8).map((tr) => ({
        id: tr.dataset.id,
        class: tr.className,
        cell: box(tr.querySelector('.c-path')),
        spans: [...tr.querySelectorAll('.c-path > span')].map((span) => [span.className, span.textContent, box(span)]),
      })),
    };
  });
}

describeWithChromium('inspector dashboard (browser)', function () {
  this.timeout(30_000);
  let dev;
  let context;
  let page;
  let browserPage;
  const pageErrors = [];

  /** The collector's own view, to check the page against. */
  const serverLogs = async () => (await getJson(`${dev.dashboard}/api/summaries`)).logs;
  const rows = () => page.locator('#requests tbody tr');
  const waitForRows = (n) =>
    page.waitForFunction((count) => document.querySelectorAll('#requests tbody tr').length === count, n, { timeout: 10_000 });
  const shot = (name) => page.screenshot({ path: join(SHOTS, name), fullPage: false });
  // After a resize the charts are drawn again to their card's width (charts.js: at least 260 px), not
  // just scaled to it.
  const chartsRedrawn = () =>
    page.waitForFunction(() =>
      [...document.querySelectorAll('.charts svg')].every((svg) => svg.width.baseVal.value === Math.max(260, Math.floor(svg.parentElement.clientWidth))),
    );

  before(async function () {
    mkdirSync(SHOTS, { recursive: true });
    dev = await startDevExample();
    browserPage = await openPage(pageErrors);
    ({ context, page } = browserPage);
  });

  after(async () => {
    await browserPage?.close();
    await dev?.stop();
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
    // Newest first; logs started in the same millisecond (concurrency 3) keep their arrival order, which
    // the summaries do not show, so any of them may lead.
    const latest = Math.max(...logs.map((l) => Date.parse(l.startedDateTime)));
    const newestIds = logs.filter((l) => Date.parse(l.startedDateTime) === latest).map((l) => l.id);
    const first = rows().first();
    const firstId = await first.getAttribute('data-id');
    expect(newestIds).to.include(firstId);
    const newest = logs.find((l) => l.id === firstId);
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
    await postLog(dev, redactedLog(id));
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

  it('lets no page of another origin store, read or clear logs', async () => {
    const before = await serverLogs();
    expect(before.length).to.be.greaterThan(0);
    // The attacker's page: any site the developer visits. Here on 127.0.0.1 (same-site with the
    // inspector, as the app's own pages are) and on localhost (cross-site).
    const hostile = http.createServer((req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>elsewhere</title>'));
    await new Promise((r) => hostile.listen(0, '127.0.0.1', r));
    const evil = await context.newPage();
    const seen = [];
    evil.on('response', (r) => r.url().startsWith(dev.dashboard) && seen.push(`${r.request().method()} ${new URL(r.url()).pathname} ${r.status()}`));
    try {
      for (const origin of [`http://127.0.0.1:${hostile.address().port}`, `http://localhost:${hostile.address().port}`]) {
        seen.length = 0;
        await evil.goto(`${origin}/`);
        const forged = randomUUID();
        const outcome = await evil.evaluate(
          async ({ dashboard, log }) => {
            const attempt = async (f) => {
              try {
                return await f();
              } catch (err) {
                return `refused: ${err.name}`;
              }
            };
            return {
              // A Blob has no Content-Type, and a no-cors request needs no preflight: it reaches the collector.
              post: await attempt(async () => (await fetch(`${dashboard}/v1/request`, { method: 'POST', mode: 'no-cors', body: new Blob([JSON.stringify([log])]) })).type),
              read: await attempt(async () => (await fetch(`${dashboard}/api/logs`)).text()),
              summaries: await attempt(async () => (await fetch(`${dashboard}/api/summaries`)).text()),
              // Opaque, but the browser still loads it (what a rebinding page, or a side channel, would use).
              opaqueRead: await attempt(async () => (await fetch(`${dashboard}/api/logs?no-cors`, { mode: 'no-cors' })).type),
              clear: await attempt(async () => (await fetch(`${dashboard}/api/logs`, { method: 'DELETE' })).status),
            };
          },
          { dashboard: dev.dashboard, log: redactedLog(forged) },
        );
        expect(outcome, origin).to.deep.equal({ post: 'opaque', read: 'refused: TypeError', summaries: 'refused: TypeError', opaqueRead: 'opaque', clear: 'refused: TypeError' });
        // The no-cors requests did reach the inspector, which refused them itself: CORS alone does not
        // stop the Blob POST, nor an opaque load of the logs.
        // (Playwright's response events travel apart from the page's result: wait for them.)
        const refusals = ['POST /v1/request 403', 'GET /api/logs 403'];
        for (const deadline = Date.now() + 5_000; !refusals.every((r) => seen.includes(r)) && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 20));
        expect(seen, origin).to.include.members(refusals);
        const after = await serverLogs();
        expect(after.map((l) => l.id)).to.deep.equal(before.map((l) => l.id));
        expect(after.some((l) => l.id === forged)).to.equal(false);
      }
    } finally {
      await evil.close();
      hostile.close();
    }
  });

  it('answers a DNS-rebinding page nothing, though the browser sees it as same-origin', async () => {
    const before = await serverLogs();
    // rebind.test resolves to 127.0.0.1, as an attacker's name does once rebound: the page's own
    // requests are then same-origin for the browser, and only the Host tells the inspector apart.
    const port = new URL(dev.dashboard).port;
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--host-resolver-rules=MAP rebind.test 127.0.0.1', '--disable-background-networking', '--disable-component-update'],
    });
    try {
      const evil = await browser.newPage();
      const landing = await evil.goto(`http://rebind.test:${port}/`);
      expect(landing.status()).to.equal(421);
      const outcome = await evil.evaluate(async (log) => {
        const logs = await fetch('/api/logs');
        const post = await fetch('/v1/request', { method: 'POST', body: new Blob([JSON.stringify([log])]) });
        const clear = await fetch('/api/logs', { method: 'DELETE' });
        return { logs: [logs.status, await logs.text()], post: post.status, clear: clear.status };
      }, redactedLog(randomUUID()));
      expect(outcome.logs[0]).to.equal(421);
      expect(outcome.logs[1]).to.match(/^unexpected Host header/);
      expect(outcome).to.deep.include({ post: 421, clear: 421 });
    } finally {
      await browser.close();
    }
    expect((await serverLogs()).map((l) => l.id)).to.deep.equal(before.map((l) => l.id));
  });

  it('still shows what the app sends after all that', async () => {
    const before = await serverLogs();
    // The dashboard itself still reads and streams: a log posted now shows up in it.
    const id = randomUUID();
    await postLog(dev, redactedLog(id));
    await waitForRows(before.length + 1);
    expect(await page.locator(`#requests tr[data-id="${id}"]`).count()).to.equal(1);
  });

  it('tells rows of one route apart with the detail pane open: the template and the real path', async () => {
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto(dev.dashboard);
    await waitForRows((await serverLogs()).length);
    await page.locator('#requests tbody tr', { has: page.locator('.route', { hasText: '/v1/books/:id' }) }).first().click();
    try {
      await page.locator('#detail .detail-body').waitFor();
      // The narrower list is laid out once the pane and its contents are in. CI on Node 22 twice measured
      // a real path 0 px wide right after the pane opened (never reproduced alone), so this waits until
      // every cell passes the checks below, then makes them. A layout that never settles still fails,
      // saying what the page looked like: the cause is not known yet.
      await page
        .waitForFunction(
          () =>
            [...document.querySelectorAll('#requests tbody tr .c-path')]
              .filter((td) => td.querySelector('.route'))
              .every((td) => {
                const cell = td.getBoundingClientRect();
                const route = td.querySelector('.route').getBoundingClientRect();
                const path = td.querySelector('.path');
                const p = path.getBoundingClientRect();
                return p.width > 0 && p.top >= route.bottom - 1 && p.left >= cell.left && p.right <= cell.right && path.scrollWidth <= path.clientWidth + 1;
              }),
          null,
          { timeout: 5_000, polling: 100 },
        )
        .catch(async (err) => {
          throw new Error(`${err.message}\nthe page then: ${JSON.stringify(await layoutState(page))}`);
        });
      const cells = await page.$$eval('#requests tbody tr .c-path', (tds) =>
        tds
          .filter((td) => td.querySelector('.route'))
          .map((td) => {
            const box = (el) => {
              const r = el.getBoundingClientRect();
              return { text: el.textContent, left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width, clipped: el.scrollWidth > el.clientWidth + 1 };
            };
            return { cell: box(td), route: box(td.querySelector('.route')), path: box(td.querySelector('.path')) };
          }),
      );
      expect(cells.length).to.be.greaterThan(1);
      for (const { cell, route, path } of cells) {
        // The real path on its own line under the template, whole and inside its cell.
        expect(path.width, path.text).to.be.greaterThan(0);
        expect(path.top, path.text).to.be.at.least(route.bottom - 1);
        expect(path.left, path.text).to.be.at.least(cell.left);
        expect(path.right, path.text).to.be.at.most(cell.right);
        expect(path.clipped, `${path.text} is cut off`).to.equal(false);
      }
      const books = cells.filter((c) => c.route.text === '/v1/books/:id').map((c) => c.path.text);
      expect(new Set(books).size, books.join(' ')).to.be.greaterThan(1);
      await page.locator('#requests').evaluate((el) => el.scrollIntoView());
      await shot('detail-open-list-1440.png');
    } finally {
      // Closed whatever happened above: the tests after this one expect the list without the pane.
      await page.keyboard.press('Escape');
      await page.locator('#detail').waitFor({ state: 'hidden' });
    }
  });

  it('brings the charts back into view when a filter changes', async () => {
    const logs = await serverLogs();
    const chartsTop = () => page.evaluate(() => document.querySelector('.charts').getBoundingClientRect().top - document.querySelector('.content').getBoundingClientRect().top);
    await page.locator('.content').evaluate((el) => el.scrollTo(0, el.scrollHeight));
    expect(await chartsTop(), 'scrolled down the list').to.be.below(0);
    await page.click('.chip[data-status="2"]');
    await waitForRows(logs.filter((l) => l.status >= 200 && l.status < 300).length);
    await page.waitForFunction(() => document.querySelector('.charts').getBoundingClientRect().top >= document.querySelector('.content').getBoundingClientRect().top);
    expect(await chartsTop()).to.be.at.least(0);
    await page.click('#f-reset');
    await waitForRows(logs.length);
  });

  it('fits a 420 px screen: nothing off-screen, the Clear button included', async () => {
    await page.setViewportSize({ width: 420, height: 900 });
    await chartsRedrawn();
    const layout = await page.evaluate(() => {
      const vw = window.innerWidth;
      const name = (el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}.${el.getAttribute('class') || ''}`;
      const checked = document.querySelectorAll('.topbar *, .filters *, .charts *, #requests th, #requests tbody tr:nth-child(-n+5) td');
      const off = [...checked].filter((el) => {
        const r = el.getBoundingClientRect();
        return r.width > 0 && (r.left < -0.5 || r.right > vw + 0.5);
      });
      const content = document.querySelector('.content');
      const clear = document.querySelector('#clear').getBoundingClientRect();
      return {
        vw,
        pageWidth: document.documentElement.scrollWidth,
        contentOverflow: content.scrollWidth - content.clientWidth,
        off: off.map(name),
        checked: checked.length,
        clear: { left: clear.left, right: clear.right, top: clear.top, bottom: clear.bottom },
      };
    });
    expect(layout.vw).to.equal(420);
    expect(layout.checked).to.be.greaterThan(50);
    expect(layout.off, 'elements past the screen edge').to.deep.equal([]);
    expect(layout.pageWidth, 'page width').to.be.at.most(420);
    expect(layout.contentOverflow, 'sideways scroll in the content').to.be.at.most(0);
    expect(layout.clear.left).to.be.at.least(0);
    expect(layout.clear.right).to.be.at.most(420);
    expect(layout.clear.bottom).to.be.at.most(900);
    await shot('narrow-420.png');

    // The detail covers the screen there, its close button in reach.
    await rows().first().click();
    await page.locator('#detail .detail-body').waitFor();
    const close = await page.locator('#detail .close').boundingBox();
    expect(close.x).to.be.at.least(0);
    expect(close.x + close.width).to.be.at.most(420);
    await shot('narrow-420-detail.png');
    await page.click('#detail .close');
    await page.locator('#detail').waitFor({ state: 'hidden' });
  });

  it('draws latency on a labelled log scale and keeps sparse traffic after a burst visible', async () => {
    // Known data: a burst of 300 requests on four endpoints of 1 ms, 10 ms, 100 ms and 1 s, then one
    // request every 10 s for almost five minutes.
    await page.click('#clear');
    await waitForRows(0);
    const t0 = Date.now() - 300_000;
    const ENDPOINTS = [['/lat/1ms', 1], ['/lat/10ms', 10], ['/lat/100ms', 100], ['/lat/1s', 1000]];
    const logs = [];
    for (let i = 0; i < 300; i++) {
      const [path, time] = ENDPOINTS[i % 4];
      logs.push(craftedLog({ path, time, started: t0 + i, status: i % 10 === 3 ? 503 : 200 }));
    }
    for (let k = 1; k <= 29; k++) logs.push(craftedLog({ path: '/sparse', time: 5, started: t0 + k * 10_000, status: 200 }));
    await postLog(dev, logs);
    await waitForRows(logs.length);

    for (const width of [1440, 420]) {
      await page.setViewportSize({ width, height: 900 });
      await chartsRedrawn();
      const charts = await page.evaluate(() => {
        const rect = (el) => el.getBoundingClientRect();
        const bars = [...document.querySelectorAll('#chart-timeline g.bar')].map((g) => ({ total: Number(g.dataset.total), width: rect(g).width, height: rect(g).height }));
        const latency = Object.fromEntries(
          [...document.querySelectorAll('#chart-latency g.lat-row')].map((g) => [
            g.dataset.endpoint,
            Object.fromEntries(['p50', 'p95', 'p99'].map((p) => [p, rect(g.querySelector(`rect.${p}`)).width])),
          ]),
        );
        const svg = document.querySelector('#chart-latency svg');
        return {
          bars,
          latency,
          scale: svg.dataset.scale,
          ticks: [...svg.querySelectorAll('g.grid')].map((g) => Number(g.dataset.tick)),
          labels: [...svg.querySelectorAll('g.grid text')].map((t) => t.textContent),
          legend: document.querySelector('#chart-latency .legend').textContent,
        };
      });

      // Every bucket with traffic shows, however small beside the burst.
      const busy = charts.bars.filter((b) => b.total > 0);
      expect(busy.reduce((n, b) => n + b.total, 0)).to.equal(logs.length);
      expect(busy.length).to.be.at.least(30);
      for (const b of busy) {
        expect(b.height, `${width} px: a bucket of ${b.total}`).to.be.at.least(MIN_BAR_PX - 0.01);
        expect(b.width, `${width} px: a bucket of ${b.total}`).to.be.at.least(MIN_BAR_PX - 0.01);
      }

      // Log scale: each decade takes the same width, the 1 ms bar is a real bar next to the 1 s one.
      expect(charts.scale).to.equal('log');
      expect(charts.legend).to.include('log scale');
      expect(charts.ticks).to.include.members([1, 10, 100, 1000]);
      expect(charts.labels).to.include.members(['1 ms', '10 ms', '100 ms', '1 s']);
      for (const [endpoint, bars] of Object.entries(charts.latency)) {
        for (const [p, w] of Object.entries(bars)) expect(w, `${width} px: ${endpoint} ${p}`).to.be.at.least(MIN_BAR_PX - 0.01);
      }
      const w = ENDPOINTS.map(([path]) => charts.latency[`GET ${path}`].p50);
      const decades = [w[1] - w[0], w[2] - w[1], w[3] - w[2]];
      for (const d of decades) expect(Math.abs(d - decades[0]), `${width} px: decade widths ${decades}`).to.be.below(1.5);
      expect(decades[0]).to.be.greaterThan(20);
      expect(w[0] / w[3], `${width} px: 1 ms against 1 s`).to.be.at.least(0.2);
      await page.locator('.charts').evaluate((el) => el.scrollIntoView());
      await shot(`charts-log-sparse-${width}.png`);
    }
  });
});

/** Posts one log, or an array of them, as the SDK does, with the session token dev gave the app. */
async function postLog(dev, logs) {
  const res = await request(`${dev.dashboard}/v1/request`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${dev.token}:`).toString('base64')}` },
    body: JSON.stringify([logs].flat()),
  });
  expect(res.status).to.equal(202);
}

/** A minimal valid log of a GET at a chosen start time, with a chosen duration and status. */
function craftedLog({ path, time, started, status }) {
  const url = `http://127.0.0.1:9${path}`;
  const entry = {
    pageref: url,
    startedDateTime: new Date(started).toISOString(),
    time,
    request: { method: 'GET', url, httpVersion: 'HTTP/1.1', headers: [], queryString: [], cookies: [], headersSize: -1, bodySize: -1 },
    response: {
      status,
      statusText: '',
      httpVersion: 'HTTP/1.1',
      headers: [],
      content: { size: 0, mimeType: 'application/json' },
      redirectURL: '',
      cookies: [],
      headersSize: -1,
      bodySize: -1,
    },
    cache: {},
    timings: { wait: time, receive: 0 },
  };
  return {
    _id: randomUUID(),
    _version: 3,
    group: { id: 'sha512-crafted?0001', label: 'Crafted' },
    clientIPAddress: '127.0.0.1',
    development: true,
    request: { log: { version: '1.2', creator: { name: 'readme-metrics (node)', version: '0.0.0', comment: 'test' }, entries: [entry] } },
  };
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
