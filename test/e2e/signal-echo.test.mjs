// One Ctrl-C can reach an app twice: through the terminal's process group, and again from a runner
// that passes signals on to its commands (concurrently's tree-kill, readme-metrics dev under it).
// The repeat is not a second Ctrl-C: the SDK keeps delivering and the app still ends by SIGINT.
import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { FIXTURES, REGISTER, TEST_API_KEY, entryOf, request, startApp, startCollector, waitForLogs } from '../helpers/harness.mjs';

const require = createRequire(import.meta.url);
const EXIT_APP = join(FIXTURES, 'apps', 'exit-paths.mjs');
const SERVED = 3;
// Nothing goes out on a timer or a full batch: what arrives was delivered by the signal's flush.
const quietEnv = (collector) => ({
  README_METRICS_SERVER: collector.url,
  README_API_URL: collector.url,
  README_API_KEY: TEST_API_KEY,
  README_FLUSH_INTERVAL: '60000',
  README_BUFFER_LENGTH: '100',
  README_SHUTDOWN_TIMEOUT: '10000',
});
// util-linux script(1) runs a command on a pseudo-terminal: writing ^C to it is a Ctrl-C typed there.
const hasScript = process.platform === 'linux' && /util-linux/.test(spawnSync('script', ['--version'], { encoding: 'utf8' }).stdout ?? '');

describe('signals: the same Ctrl-C delivered twice', function () {
  this.timeout(30_000);
  let collector;
  beforeEach(async () => {
    collector = await startCollector();
  });
  afterEach(() => collector?.close());

  it('two SIGINTs at once: every log is delivered, and the app still ends by SIGINT', async () => {
    const app = await startApp('exit-paths.mjs', { collector, env: quietEnv(collector) });
    for (let i = 0; i < SERVED; i++) expect((await request(`${app.url}/json?twice=${i}`)).status).to.equal(200);
    app.proc.kill('SIGINT');
    app.proc.kill('SIGINT');
    expect(await app.exited).to.deep.equal({ code: null, signal: 'SIGINT' });
    const logs = await waitForLogs(collector, SERVED);
    expect(logs.map((l) => entryOf(l).request.url.split('?')[1]).sort()).to.deep.equal(['twice=0', 'twice=1', 'twice=2']);
  });

  it('Ctrl-C in a terminal under concurrently (which passes it on again): every log is delivered', async function () {
    if (!hasScript) this.skip();
    const concurrently = join(dirname(require.resolve('concurrently/package.json')), 'dist', 'bin', 'concurrently.js');
    // concurrently takes a command line as one argument (and strips quotes around it): paths unquoted.
    const command = `'${process.execPath}' '${concurrently}' "${process.execPath} --require ${REGISTER} ${EXIT_APP}"`;
    const proc = spawn('script', ['-qfec', command, '/dev/null'], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...quietEnv(collector) },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    proc.stdout.on('data', (d) => (out += d));
    proc.stderr.on('data', (d) => (out += d));
    const exited = new Promise((r) => proc.on('exit', (code, signal) => r({ code, signal })));
    try {
      let port;
      for (const deadline = Date.now() + 15_000; !(port = /listening (\d+)/.exec(out)?.[1]); ) {
        if (Date.now() > deadline || proc.exitCode !== null) throw new Error(`the app did not start:\n${out}`);
        await new Promise((r) => setTimeout(r, 25));
      }
      for (let i = 0; i < SERVED; i++) expect((await request(`http://127.0.0.1:${port}/json?echo=${i}`)).status).to.equal(200);
      proc.stdin.write('\x03');
      await exited;
      // concurrently says how its command ended: by the signal, as without the preload.
      expect(out).to.match(/exited with code SIGINT/);
      const logs = await waitForLogs(collector, SERVED);
      expect(logs.map((l) => entryOf(l).request.url.split('?')[1]).sort()).to.deep.equal(['echo=0', 'echo=1', 'echo=2']);
    } finally {
      if (proc.exitCode === null) proc.kill('SIGKILL');
    }
  });
});
