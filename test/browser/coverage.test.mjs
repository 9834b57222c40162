// The Coverage card in a real browser, on a demo-like run (`readme-metrics dev` on the example API,
// whose examples/openapi.json documents most routes): documented operations never called, endpoints
// called but not documented, status codes returned but not documented; and the inferred OpenAPI
// document downloaded from the dashboard validates with @readme/openapi-parser.
/* global document -- used inside page.waitForFunction callbacks */
import { validate } from '@readme/openapi-parser';
import { expect } from 'chai';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runTraffic } from '../../examples/traffic.mjs';
import { ROOT, request } from '../helpers/harness.mjs';
import { describeWithChromium, openPage } from './chromium.mjs';
import { startDevExample } from './dev-server.mjs';

const SHOTS = join(ROOT, 'test-output', 'screenshots');

describeWithChromium('inspector coverage view (browser)', function () {
  this.timeout(30_000);
  let dev;
  let page;
  let browserPage;
  const pageErrors = [];

  before(async function () {
    mkdirSync(SHOTS, { recursive: true });
    dev = await startDevExample();
    // Every scenario of the demo's traffic once (it sends each one first), so the run is the same every time.
    await runTraffic(dev.api, { count: 18, concurrency: 3 });
    browserPage = await openPage(pageErrors);
    ({ page } = browserPage);
  });

  after(async () => {
    await browserPage?.close();
    await dev?.stop();
  });

  afterEach(() => expect(pageErrors, 'errors in the page').to.deep.equal([]));

  it('lists documented operations never called, and endpoints called but not documented', async () => {
    // All 18 logs are in the collector before the page reads the coverage.
    const deadline = Date.now() + 10_000;
    while (JSON.parse((await request(`${dev.dashboard}/api/summaries`)).body).logs.length < 18) {
      if (Date.now() > deadline) throw new Error('the demo traffic did not all arrive');
      await new Promise((r) => setTimeout(r, 50));
    }
    await page.goto(dev.dashboard);
    await page.locator('#coverage').waitFor({ state: 'visible' });
    await page.waitForFunction(() => document.querySelectorAll('#coverage-ops tbody tr').length === 9);
    await page.locator('#coverage').screenshot({ path: join(SHOTS, 'coverage-1440.png') });

    const texts = (sel) => page.locator(sel).allInnerTexts();
    expect(await texts('#coverage-never li')).to.deep.equal(['PUT /v1/books/{id}', 'GET /v1/orders/{orderId}']);
    expect(await texts('#coverage-undocumented li')).to.deep.equal(['POST /v1/inventory/sync (1 call: 500)']);
    expect(await page.locator('#coverage-file').innerText()).to.equal(join(ROOT, 'examples', 'openapi.json'));
    expect(await page.locator('#coverage-summary').innerText()).to.equal('7 of 9 documented operations called; 1 undocumented endpoint called');

    const row = (op) => page.locator(`#coverage-ops tr[data-op="${op}"] td`).allInnerTexts();
    // GET /v1/books: 4 scenarios, one with a stolen key and one with none (401 twice).
    const books = await row('GET /v1/books');
    expect(books.slice(0, 4)).to.deep.equal(['GET', '/v1/books', '5', '40%']);
    expect(books[6]).to.equal('');
    // The free plan's 429 is not in the definition.
    const sales = await row('GET /v1/reports/sales');
    expect(sales.slice(2, 4)).to.deep.equal(['2', '50%']);
    expect(Number.parseInt(sales[5], 10)).to.be.at.least(300); // the slow report's p95
    expect(sales[6]).to.equal('429');
    expect((await row('PUT /v1/books/{id}')).slice(2, 6)).to.deep.equal(['never', '–', '–', '–']);
  });

  it('the inferred OpenAPI document downloads from the dashboard and validates', async () => {
    expect(await page.locator('#export-openapi').isEnabled()).to.equal(true);
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 20_000 }), page.locator('#export-openapi').click()]);
    expect(download.suggestedFilename()).to.equal('openapi.inferred.json');
    const spec = JSON.parse(readFileSync(await download.path(), 'utf8'));
    const result = await validate(structuredClone(spec));
    expect(result.errors ?? [], JSON.stringify(result.errors)).to.deep.equal([]);
    expect(result.valid).to.equal(true);
    // The templates the SDK knew make one path per endpoint, with its parameter declared.
    expect(Object.keys(spec.paths)).to.include.members(['/v1/books', '/v1/books/{id}', '/v1/login', '/v1/orders', '/v1/reports/sales', '/v1/inventory/sync']);
    expect(Object.keys(spec.paths).filter((p) => /\/v1\/books\/\d/.test(p))).to.deep.equal([]);
    expect(spec.paths['/v1/books/{id}'].parameters).to.deep.include({ name: 'id', in: 'path', required: true, schema: { type: 'string' } });
  });
});
