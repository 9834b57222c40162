// The SDK's workers start without the app's preloads (src/transport/worker-start.ts): which arguments
// are preloads, and NODE_OPTIONS read and written back as Node reads it. The e2e side, with a real
// OpenTelemetry preload, is test/e2e/apm-preloads.test.mjs.
import { expect } from 'chai';
import fc from 'fast-check';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { withoutPreloads, splitNodeOptions, joinNodeOptions } = require('../../dist/transport/worker-start.js');
const nodeOptionsWithoutPreloads = (value) => joinNodeOptions(withoutPreloads(splitNodeOptions(value)));

describe('worker start: without the app preloads', () => {
  it('drops --require, -r, --import and the loaders with their values, in either spelling, and keeps the rest in order', () => {
    const args = ['--enable-source-maps', '--require', 'a.js', '-r', 'b.js', '--require=c.js', '--import', 'd.mjs', '--import=e.mjs', '--loader', 'f.mjs', '--experimental-loader=g.mjs', '--max-old-space-size=300', '--title=x'];
    expect(withoutPreloads(args)).to.deep.equal(['--enable-source-maps', '--max-old-space-size=300', '--title=x']);
    // A flag that only starts like one, and a value that looks like a flag, are not preloads.
    expect(withoutPreloads(['--required-thing', '--importance=1', '--require', '--import'])).to.deep.equal(['--required-thing', '--importance=1']);
  });

  it('splits NODE_OPTIONS as Node does: spaces outside quotes, escapes inside them, no argument from quotes alone', () => {
    expect(splitNodeOptions('  --require   "/a b/c.js"  --title="x \\"y\\""  ')).to.deep.equal(['--require', '/a b/c.js', '--title=x "y"']);
    expect(splitNodeOptions('""')).to.deep.equal([]);
    expect(splitNodeOptions('a\\b')).to.deep.equal(['a\\b']);
  });

  it('writes NODE_OPTIONS back so that Node reads the same arguments, without the preloads', () => {
    expect(nodeOptionsWithoutPreloads('--require "/a b/otel.js" --max-old-space-size=300')).to.equal('--max-old-space-size=300');
    expect(nodeOptionsWithoutPreloads('--import x.mjs')).to.equal('');
    const arg = fc.string({ unit: fc.constantFrom('a', '-', '=', ' ', '"', '\\', '/', 'é'), minLength: 1, maxLength: 8 });
    fc.assert(
      fc.property(fc.array(fc.oneof(arg, fc.constantFrom('--require', '-r', '--import', '--loader', '--no-warnings')), { maxLength: 8 }), (args) => {
        const quoted = args.map((a) => `"${a.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(' ');
        expect(splitNodeOptions(quoted)).to.deep.equal(args);
        const kept = withoutPreloads(args);
        expect(splitNodeOptions(joinNodeOptions(args))).to.deep.equal(args);
        expect(splitNodeOptions(nodeOptionsWithoutPreloads(quoted))).to.deep.equal(kept);
      }),
      { numRuns: 2_000 },
    );
  });
});
