// The README's `npm test` on a machine without Chromium: the browser suite is one skipped line and
// the run passes; with CI=true (what .ci/run sets) the same missing browser fails the run.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../helpers/harness.mjs';

const MOCHA = join(ROOT, 'node_modules', 'mocha', 'bin', 'mocha.js');
const SUITE = join(ROOT, 'test', 'browser', 'dashboard.test.mjs');

function runSuite(env) {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [MOCHA, '--no-config', '--reporter', 'spec', '--timeout', '20000', '--exit', SUITE],
      { cwd: ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', ...env }, timeout: 60_000 },
      (err, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }),
    );
  });
}

describe('browser tests without Chromium', function () {
  this.timeout(60_000);

  it('are reported as skipped in one line, and the run passes', async () => {
    const { code, stdout } = await runSuite({ CHROMIUM_PATH: '/nonexistent/chromium' });
    expect(code, stdout).to.equal(0);
    const skipped = stdout.split('\n').filter((l) => /skipped: no Chromium at \/nonexistent\/chromium/.test(l));
    expect(skipped, stdout).to.have.length(1);
    expect(stdout).to.match(/0 passing[\s\S]*1 pending/);
    expect(stdout).not.to.match(/failing/);
  });

  it('fail the run when CI=true', async () => {
    const { code, stdout } = await runSuite({ CHROMIUM_PATH: '/nonexistent/chromium', CI: 'true' });
    expect(code, stdout).to.equal(1);
    expect(stdout).to.include('Chromium is not installed at /nonexistent/chromium');
    expect(stdout).to.match(/1 failing/);
  });
});
