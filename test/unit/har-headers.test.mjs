// parseHeaderBlock walks the block in place; it must read every block as splitting it into lines does
// (the reference below, its earlier implementation): same status text, same headers, same trimming.
import { expect } from 'chai';
import fc from 'fast-check';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { parseHeaderBlock } = require('../../dist/har/headers.js');

function byLines(block) {
  const lines = block.split('\r\n');
  const status = /^HTTP\/\d(?:\.\d)? \d{3} ?(.*)$/.exec(lines[0] ?? '');
  const headers = [];
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (line !== '' && colon > 0) headers.push({ name: line.slice(0, colon), value: line.slice(colon + 1).trim() });
  }
  return { statusText: status ? status[1] : undefined, headers };
}

describe('parseHeaderBlock', () => {
  it('reads a block Node sent', () => {
    const block = 'HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nX-Empty:\r\n\r\n';
    expect(parseHeaderBlock(block)).to.deep.equal({
      statusText: 'Not Found',
      headers: [
        { name: 'Content-Type', value: 'text/plain' },
        { name: 'Set-Cookie', value: 'a=1' },
        { name: 'Set-Cookie', value: 'b=2' },
        { name: 'X-Empty', value: '' },
      ],
    });
  });

  it('reads any text as splitting it into lines does', () => {
    const unit = fc.constantFrom('HTTP/1.1 200 OK', 'HTTP/2 404', '\r\n', '\r', '\n', ':', ' ', '\t', 'a', 'X-Y', '\u00a0', '\u2028', '\r\n\r\n');
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 30 }), (block) => {
        expect(parseHeaderBlock(block), JSON.stringify(block)).to.deep.equal(byLines(block));
      }),
      { numRuns: 20_000 },
    );
  });
});
