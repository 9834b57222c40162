// The worker keeps waiting logs as UTF-8 bytes in one reused buffer and sends slices of it: a backlog
// larger than a batch (the Metrics API stalled) makes it send part of the queue while the rest stays,
// grow the buffer and move what is left to its front. Every log must still arrive once, byte for byte.
import { expect } from 'chai';
import http from 'node:http';
import { entryOf, request, startApp, startCollector, waitForLogs } from '../helpers/harness.mjs';

/**
 * A Metrics API in front of the collector that holds every call until released: while it holds, the
 * app's logs pile up in its queue.
 */
async function stalledFront(collector) {
  let release;
  const gate = new Promise((r) => (release = r));
  let held = 0;
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      held++;
      await gate;
      const fwd = http.request(collector.url + req.url, { method: req.method, headers: { ...req.headers, host: new URL(collector.url).host } }, (answer) => {
        res.writeHead(answer.statusCode, answer.headers);
        answer.pipe(res);
      });
      fwd.on('error', () => res.destroy());
      fwd.end(Buffer.concat(chunks));
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    held: () => held,
    release,
    close: () => new Promise((r) => server.close(r)),
  };
}

/** A JSON body of about `bytes` bytes, mixing one-, two-, three- and four-byte UTF-8 characters. */
function body(i, bytes) {
  const parts = ['ascii ', 'é ü ñ ', '日本語 ', '🙂🚀 ', '"q" \\ '];
  const unit = [...parts.slice(i % parts.length), ...parts.slice(0, i % parts.length)].join('');
  return JSON.stringify({ i, text: unit.repeat(Math.ceil(bytes / Buffer.byteLength(unit))) });
}

describe('the queue as bytes', function () {
  this.timeout(40_000);
  let collector;
  let front;
  beforeEach(async () => {
    collector = await startCollector();
    front = await stalledFront(collector);
  });
  afterEach(async () => {
    front.release();
    await front.close();
    await collector.close();
  });

  for (const mode of ['true', 'false']) {
    it(`a backlog larger than a batch arrives whole, each log byte for byte, multi-byte text included (backgroundWorkerMode=${mode})`, async () => {
      const app = await startApp('proto-echo.cjs', {
        collector,
        env: {
          README_METRICS_SERVER: front.url,
          README_BUFFER_LENGTH: '1',
          README_BACKGROUND_WORKER_MODE: mode,
          README_MAX_BODY_SIZE: String(512 * 1024),
        },
      });
      try {
        // 24 logs of ~2 x 200 KB: past a batch's 4 MB, so the queue is sent in parts, and past the
        // queue buffer's first size, so it grows; then small ones, queued behind them.
        const sent = [];
        for (let i = 0; i < 40; i++) {
          const text = body(i, i < 24 ? 200_000 : 300 + 97 * i);
          sent.push(text);
          const res = await request(`${app.url}/echo/${i}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: text });
          expect(res.body.toString()).to.equal(text);
        }
        front.release();
        const logs = await waitForLogs(collector, 40, { timeout: 20_000 });
        expect(logs).to.have.length(40);
        const byIndex = new Map(logs.map((log) => [Number(new URL(entryOf(log).request.url).pathname.split('/')[2]), entryOf(log)]));
        expect(byIndex.size).to.equal(40);
        for (let i = 0; i < 40; i++) {
          const entry = byIndex.get(i);
          expect(entry.request.postData.text, `request body ${i}`).to.equal(sent[i]);
          expect(entry.response.content.text, `response body ${i}`).to.equal(sent[i]);
        }
        // The stall made a backlog: more than one call, none of them carrying it all.
        const posts = collector.posts.filter((p) => p.count > 0);
        expect(posts.length).to.be.above(1);
        expect(Math.max(...posts.map((p) => p.count))).to.be.below(40);
        expect(front.held()).to.be.above(1);
      } finally {
        await app.stop();
      }
    });
  }
});
