// Where the browser tests find Chromium, and what they do without one: on a developer's machine they
// are skipped in one line (the README's `npm test` passes without a browser); in CI (CI=true), where
// .ci/run installs Chromium, a missing one is a failure rather than a silent skip.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

const inCI = !!process.env.CI && !/^(0|false)$/i.test(process.env.CI);
const HOW = 'install it (Debian/Ubuntu: apt-get install -y chromium) or set CHROMIUM_PATH to a Chromium binary';

/** describe() when Chromium is there; otherwise a single pending test saying why, or failing in CI. */
export function describeWithChromium(title, body) {
  if (existsSync(CHROMIUM)) return describe(title, body);
  return describe(title, () => {
    if (inCI) {
      it('finds Chromium, which CI requires', () => {
        throw new Error(`Chromium is not installed at ${CHROMIUM}: ${HOW}.`);
      });
    } else {
      it(`skipped: no Chromium at ${CHROMIUM}; ${HOW}`);
    }
  });
}

/** What every launch here passes: no sandbox (root), and none of Chromium's own network traffic. */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * Chromium with a fresh profile and one page whose errors (uncaught, console, CSP violations) land in
 * `errors`; `close()` ends the browser and removes the profile.
 */
export async function openPage(errors) {
  const profile = mkdtempSync(join(tmpdir(), 'readme-metrics-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    acceptDownloads: true,
    viewport: { width: 1440, height: 900 },
    args: CHROMIUM_ARGS,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(10_000);
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (msg) => msg.type() === 'error' && errors.push(msg.text()));
  return {
    context,
    page,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
