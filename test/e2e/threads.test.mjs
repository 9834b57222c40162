// HTTP served from the app's own worker threads (test/fixtures/apps/thread-servers.cjs: two server threads,
// a pool thread that serves no HTTP, a main thread that serves nothing). Every request served by a thread
// is logged, however the thread or the process ends, and the app's output, exit code and signal are what
// they are without the SDK. Before, the preload observed the main thread only: none of these arrived.
import { expect } from 'chai';
import { entryOf, request, sleep, startApp, startCollector, waitForLogs } from '../helpers/harness.mjs';

const portsOf = (app) => /listening (\d+) (\d+)/.exec(app.stdout()).slice(1).map(Number);
const tagOf = (log) => new URL(entryOf(log).request.url).searchParams.get('tag');

const ENDINGS = {
  'every server closes and the process ends on its own': { how: 'close' },
  'the thread calls process.exit()': { how: 'thread-exit', then: 'SIGTERM' },
  'the main thread terminates the thread as its last response finishes': { how: 'terminate', then: 'SIGTERM' },
  'the main thread calls process.exit() as it hears of the last request': { how: 'main-exit' },
  'SIGTERM to the process, nobody handling it': { signal: 'SIGTERM' },
  'the main thread calls process.exit(), the SDK sending from the main thread (backgroundWorkerMode false)': {
    how: 'main-exit',
    env: { README_BACKGROUND_WORKER_MODE: 'false' },
  },
  'every server closes, the SDK loaded with --import': { how: 'close', preload: 'import' },
};

describe("HTTP served from the app's worker threads", function () {
  this.timeout(30_000);
  let collector;
  before(async () => {
    collector = await startCollector();
  });
  after(() => collector?.close());

  for (const [ending, { how, then, signal, env, preload }] of Object.entries(ENDINGS)) {
    it(`${ending}: every request logged, the same output and ending as without the SDK`, async () => {
      const tag = `threads-${Object.keys(ENDINGS).indexOf(ending)}`;
      const run = async (app, tagged) => {
        const [a, b] = portsOf(app);
        const get = (port, i, q = '') => request(`http://127.0.0.1:${port}/t?tag=${tagged}&i=${i}${q}`);
        const answers = [];
        for (let i = 0; i < 3; i++) answers.push((await get(a, i)).body.toString().replace(/"thread":\d+,/, ''));
        for (let i = 3; i < 5; i++) answers.push((await get(b, i)).body.toString().replace(/"thread":\d+,/, ''));
        if (how) answers.push((await get(a, 5, `&how=${how}`)).body.toString().replace(/"thread":\d+,/, ''));
        await sleep(100);
        if (then) await app.stop(then);
        else if (signal) await app.stop(signal);
        return { answers: answers.map((s) => s.replaceAll(tagged, 'TAG')), ending: await app.exited };
      };
      const [ours, theirs] = await Promise.all([
        startApp('thread-servers.cjs', { collector, env, preload }).then((app) => run(app, tag).then((r) => ({ ...r, app }))),
        startApp('thread-servers.cjs', { preload: 'none' }).then((app) => run(app, `${tag}-alone`).then((r) => ({ ...r, app }))),
      ]);
      expect(ours.answers).to.deep.equal(theirs.answers);
      expect(ours.ending).to.deep.equal(theirs.ending);
      const lines = (app) => app.stdout().replace(/listening \d+ \d+/, 'listening').split('\n').sort();
      expect(lines(ours.app)).to.deep.equal(lines(theirs.app));
      expect(ours.app.stdout()).to.include('pool: agent loaded false');
      expect(ours.app.stderr()).to.equal('');

      const expected = how ? 6 : 5;
      const logs = await waitForLogs(collector, expected, { filter: (l) => tagOf(l) === tag });
      await sleep(200);
      const all = collector.store.all().filter((s) => tagOf(s.log) === tag);
      expect(all.map((s) => new URL(entryOf(s.log).request.url).searchParams.get('i')).sort()).to.deep.equal(['0', '1', '2', '3', '4', '5'].slice(0, expected));
      for (const log of logs) {
        expect(entryOf(log).response.status).to.equal(200);
        expect(JSON.parse(entryOf(log).response.content.text).url).to.equal(new URL(entryOf(log).request.url).pathname + new URL(entryOf(log).request.url).search);
      }
    });
  }
});
