// The SDK beside an app's APM preload: OpenTelemetry, the real packages from npm, set up as its docs show
// (test/fixtures/preloads/otel.cjs). Loaded before ours, after ours, or from NODE_OPTIONS: the app answers
// as with the APM alone, the APM still traces every request, each request's log is whole, and the SDK's
// own calls to the Metrics API are nobody's spans. A worker thread runs the app's preloads again unless it
// is started without them: ours ran a second OpenTelemetry and reported its calls as the app's traffic.
// No stderr from the SDK: its worker started (not the main-thread fallback, which warns).
import { expect } from 'chai';
import { join } from 'node:path';
import { FIXTURES, REGISTER, entryOf, request, sleep, startApp, startCollector, waitForLogs } from '../helpers/harness.mjs';

const OTEL = join(FIXTURES, 'preloads', 'otel.cjs');
const BODY = JSON.stringify({ order: 42, note: 'from a traced app' });
const SERVER = 1; // SpanKind.SERVER

const spansOf = (app) =>
  app
    .stdout()
    .split('\n')
    .filter((line) => line.startsWith('span '))
    .map((line) => JSON.parse(line.slice(5)));

const WAYS = {
  'the APM first, then ours (--require)': { preload: 'none', nodeArgs: ['--require', OTEL, '--require', REGISTER] },
  'ours first, then the APM (--require)': { preload: 'none', nodeArgs: ['--require', REGISTER, '--require', OTEL] },
  'the APM from NODE_OPTIONS, ours by --import': { preload: 'import', env: { NODE_OPTIONS: `--require "${OTEL}"` } },
  // Options only the process may take, which a worker refuses when they are given to it explicitly.
  'beside options a worker refuses (--use-openssl-ca, --title, --max-old-space-size)': {
    nodeArgs: ['--max-old-space-size=512', '--title=traced-app'],
    env: { NODE_OPTIONS: `--use-openssl-ca --title=traced-app --require "${OTEL}"` },
  },
};

describe('beside an APM preload (OpenTelemetry)', function () {
  this.timeout(30_000);
  let collector;
  let alone;
  before(async () => {
    collector = await startCollector();
    alone = await startApp('http-basic.cjs', { preload: 'none', nodeArgs: ['--require', OTEL] });
  });
  after(async () => {
    await alone?.stop();
    await collector?.close();
  });

  for (const [way, opts] of Object.entries(WAYS)) {
    it(`${way}: the same answers, every request traced, every log whole, no span for the SDK's calls`, async () => {
      const app = await startApp('http-basic.cjs', { collector, ...opts });
      try {
        const tag = `apm-${Object.keys(WAYS).indexOf(way)}`;
        const send = (a, i) => request(`${a.url}/echo?i=${i}`, { method: 'POST', body: BODY, headers: { 'content-type': 'application/json', 'x-test-case': tag } });
        for (let i = 0; i < 3; i++) {
          const [ours, theirs] = await Promise.all([send(app, i), send(alone, i)]);
          expect(ours.status).to.equal(theirs.status);
          expect(ours.body.equals(theirs.body), 'the same body').to.equal(true);
        }
        const logs = await waitForLogs(collector, 3, { filter: (l) => entryOf(l).request.headers.some((h) => h.name === 'x-test-case' && h.value === tag) });
        for (const log of logs) {
          expect(entryOf(log).request.postData.text).to.equal(BODY);
          expect(entryOf(log).response.content.text).to.equal(BODY);
        }
        // The worker's sends are done (the logs arrived); give a span of theirs time to be printed.
        await sleep(300);
        const spans = spansOf(app);
        expect(spans.filter((s) => s.kind === SERVER && String(s.url).startsWith('/echo')), 'the app traced').to.have.length(3);
        const foreign = spans.filter((s) => s.thread !== 0 || String(s.url).includes(new URL(collector.url).host) || String(s.url).includes('/v1/request'));
        expect(foreign, 'spans of the SDK').to.deep.equal([]);
        expect(app.stderr()).to.not.match(/readme-metrics/);
      } finally {
        await app.stop();
      }
    });
  }
});
