// Where the browser tests find Chromium, and what they do without one: on a developer's machine they
// are skipped in one line (the README's `npm test` passes without a browser); in CI (CI=true), where
// .ci/run installs Chromium, a missing one is a failure rather than a silent skip.
import { existsSync } from 'node:fs';

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
