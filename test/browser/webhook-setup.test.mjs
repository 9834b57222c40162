// The webhook's development page in a real Chromium: it loads nothing from elsewhere, runs under its own
// strict CSP without a console error, and its form runs the self-test against the app's own webhook.
// Screenshots land in test-output/screenshots/. Without Chromium: one skipped line (see chromium.mjs).
/* global document -- used inside waitForFunction callbacks */
import { expect } from 'chai';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { FIXTURES, ROOT, startApp } from '../helpers/harness.mjs';
import { CHROMIUM, describeWithChromium } from './chromium.mjs';

const SHOTS = join(ROOT, 'test-output', 'screenshots');

describeWithChromium('webhook setup page in a browser', function () {
  let app;
  let browser;
  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    app = await startApp(join(FIXTURES, 'apps', 'webhook-express.cjs'), {
      cwd: join(FIXTURES, 'configs', 'webhook'),
      env: { README_WEBHOOK_SECRET: 'browser-secret', README_DEVELOPMENT_MODE: 'true' },
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'] });
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('tests an email through the form: keys for a developer, the error for an unknown one; same-origin requests only', async () => {
    const page = await browser.newPage({ viewport: { width: 900, height: 900 } });
    const problems = [];
    const urls = [];
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('request', (r) => urls.push(r.url()));
    // The page is served once the config file has loaded (a person opens it, nothing waits for it).
    for (const deadline = Date.now() + 10_000; ; ) {
      const res = await page.goto(`${app.url}/readme-setup`);
      if (res.headers()['content-type']?.startsWith('text/html')) break;
      if (Date.now() > deadline) throw new Error('the setup page never came up');
      await new Promise((r) => setTimeout(r, 100));
      urls.length = 0;
    }
    await page.fill('#email', 'owlbert@example.com');
    await page.click('button');
    await page.waitForFunction(() => document.getElementById('result').textContent.includes('owl-key-1234'));
    expect(await page.textContent('#result-status')).to.include('Verified');
    await page.screenshot({ path: join(SHOTS, 'webhook-setup-verified.png'), fullPage: true });

    await page.fill('#email', 'nobody@example.com');
    await page.click('button');
    await page.waitForFunction(() => document.getElementById('result').textContent === 'User with email nobody@example.com not found');
    expect(await page.textContent('#result-status')).to.include('Not verified');
    await page.screenshot({ path: join(SHOTS, 'webhook-setup-failed.png'), fullPage: true });

    expect(problems).to.deep.equal([]);
    expect(urls.every((u) => u.startsWith(`${app.url}/`))).to.equal(true, urls.join('\n'));
    expect(urls.filter((u) => u.includes('/webhook-test'))).to.have.length(2);
  });
});
