// The queue keeps logs as bytes in one reused buffer and hands out batches as JSON arrays: whatever the
// order of pushes and takes (compaction, growth, a backlog longer than the buffer), every batch must be
// exactly the JSON array of the logs it took, in order, multi-byte characters included.
import { expect } from 'chai';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { LogQueue } = require('../../dist/transport/log-queue.js');

/** A deterministic generator, so a failure repeats. */
function random(seed) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

function aLog(rnd, i) {
  const kinds = ['plain', 'é ü', '日本語', '🙂 emoji', '"quoted" \\ back'];
  const text = kinds[i % kinds.length].repeat(1 + Math.floor(rnd() * (rnd() < 0.05 ? 20_000 : 200)));
  return JSON.stringify({ _id: `log-${i}`, text });
}

describe('LogQueue', () => {
  for (const seed of [1, 2, 3]) {
    it(`batches are the exact JSON arrays of the logs taken, in order (seed ${seed})`, () => {
      const rnd = random(seed);
      const queue = new LogQueue();
      const model = [];
      let next = 0;
      for (let step = 0; step < 3_000; step++) {
        if (rnd() < 0.6) {
          const json = aLog(rnd, next++);
          expect(queue.push(json, Infinity)).to.equal(true);
          model.push(json);
        } else if (model.length) {
          const n = 1 + Math.floor(rnd() * Math.min(model.length, 300));
          const copy = rnd() < 0.5;
          expect(queue.bytesOfFirst(n)).to.equal(Buffer.byteLength(model.slice(0, n).join('')));
          const body = queue.take(n, copy);
          expect(body.toString('utf8')).to.equal(`[${model.splice(0, n).join(',')}]`);
        }
        expect(queue.length).to.equal(model.length);
        expect(queue.bytes).to.equal(Buffer.byteLength(model.join('')));
      }
      expect(queue.takeAll()).to.deep.equal(model);
      expect(queue.length).to.equal(0);
    });
  }

  it('a copied batch stays intact when later logs reuse the buffer; a view is only valid until then', () => {
    const queue = new LogQueue();
    queue.push('{"a":1}', Infinity);
    const copied = queue.take(1, true);
    queue.push('{"b":2222}', Infinity);
    expect(copied.toString()).to.equal('[{"a":1}]');
    expect(queue.take(1, false).toString()).to.equal('[{"b":2222}]');
  });

  it('refuses a log that would pass the byte bound, and keeps nothing of it', () => {
    const queue = new LogQueue();
    expect(queue.push('{"a":"ü"}', 10)).to.equal(true);
    expect(queue.push('{"b":2}', 10)).to.equal(false);
    expect(queue.length).to.equal(1);
    expect(queue.bytes).to.equal(10);
    expect(queue.takeAll()).to.deep.equal(['{"a":"ü"}']);
  });
});
