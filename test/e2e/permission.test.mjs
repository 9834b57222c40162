// The SDK under Node's permission model (--permission; --experimental-permission on Node 20), which
// refuses worker threads unless --allow-worker is given. Allowed, the SDK's worker must not print Node's
// warnings again (every thread with the flags repeats "--allow-worker must be used with extreme caution").
// Refused, it sends from the app's thread; a log still waiting at process.exit() cannot be sent, since
// no thread can be started to send it: it is counted and said, not lost in silence.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { TEST_API_KEY, entryOf, request, sleep, startApp, startCollector, waitForLogs } from '../helpers/harness.mjs';

const PERMISSION = spawnSync(process.execPath, ['--permission', '-e', '0']).status === 0 ? '--permission' : '--experimental-permission';
const READ_ALL = [PERMISSION, '--allow-fs-read=*'];
const withoutPids = (text) => text.replace(/\(node:\d+\)/g, '(node)');

describe("under Node's permission model", function () {
  this.timeout(30_000);
  let collector;
  before(async () => {
    collector = await startCollector();
  });
  after(() => collector?.close());

  it('with --allow-worker: the same answers and the same stderr as the app alone, every log sent by the worker', async () => {
    const nodeArgs = [...READ_ALL, '--allow-worker'];
    const [app, alone] = await Promise.all([startApp('http-basic.cjs', { collector, nodeArgs }), startApp('http-basic.cjs', { preload: 'none', nodeArgs })]);
    try {
      for (let i = 0; i < 3; i++) {
        const [ours, theirs] = await Promise.all([app, alone].map((a) => request(`${a.url}/json?perm=${i}`, { headers: { 'x-api-key': TEST_API_KEY } })));
        expect(ours.status).to.equal(theirs.status);
        expect(ours.body.equals(theirs.body)).to.equal(true);
      }
      const logs = await waitForLogs(collector, 3, { filter: (l) => entryOf(l).request.url.includes('perm=') });
      expect(logs).to.have.length(3);
    } finally {
      const [ours, theirs] = await Promise.all([app.stop(), alone.stop()]);
      expect(ours).to.deep.equal(theirs);
    }
    expect(alone.stderr(), "the app's own warning").to.match(/--allow-worker/);
    expect(withoutPids(app.stderr())).to.equal(withoutPids(alone.stderr()));
  });

  it('without it: one line says what --allow-worker is for; logs go from the main thread; one waiting at process.exit() is counted as dropped', async () => {
    const app = await startApp('exit-paths.mjs', { collector, nodeArgs: READ_ALL });
    const alone = await startApp('exit-paths.mjs', { preload: 'none', nodeArgs: READ_ALL });
    try {
      expect((await request(`${app.url}/served?perm=main-thread`)).status).to.equal(200);
      await waitForLogs(collector, 1, { filter: (l) => entryOf(l).request.url.includes('perm=main-thread') });

      await Promise.all([app, alone].map((a) => request(`${a.url}/bye?how=exit-now&perm=at-exit`).catch(() => null)));
      const [ours, theirs] = await Promise.all([app.exited, alone.exited]);
      expect(ours).to.deep.equal(theirs);
    } finally {
      await Promise.all([app.stop(), alone.stop()]);
    }
    const lines = app.stderr().split('\n');
    const ourLines = lines.filter((l) => l.startsWith('readme-metrics:'));
    expect(ourLines).to.have.length(2);
    expect(ourLines[0]).to.match(/^readme-metrics: could not start the background worker \(.+\); sending from the main thread; .*--allow-worker/);
    expect(ourLines[1]).to.match(/^readme-metrics: dropped 1 log\(s\): no thread could send them as the process exits \(.+\) \(total dropped: 1;/);
    // Apart from those, what the app printed is what it prints alone.
    expect(withoutPids(lines.filter((l) => !l.startsWith('readme-metrics:')).join('\n'))).to.equal(withoutPids(alone.stderr()));
    await sleep(200);
    expect(collector.store.all().filter((s) => entryOf(s.log).request.url.includes('perm=at-exit'))).to.deep.equal([]);
  });
});
