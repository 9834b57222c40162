// Log ids appear in x-documentation-url and as each log's _id: they must be RFC 9562 version 4 UUIDs.
import { expect } from 'chai';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { newLogId } = require('../../dist/capture/log-id.js');

const V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('newLogId', () => {
  it('makes version 4 UUIDs, unique across refills of its random pool', () => {
    const seen = new Set();
    // Several times the pool's 256 ids, so refills are crossed.
    for (let i = 0; i < 2000; i++) {
      const id = newLogId();
      expect(id).to.match(V4);
      seen.add(id);
    }
    expect(seen.size).to.equal(2000);
  });

  it('uses every hex digit in every free position (the bytes are random, not a counter)', () => {
    const digits = Array.from({ length: 36 }, () => new Set());
    for (let i = 0; i < 2000; i++) [...newLogId()].forEach((c, at) => digits[at].add(c));
    // Positions 14 (version) and 19 (variant) are fixed or limited; the dashes are fixed.
    for (const at of [0, 7, 9, 15, 20, 24, 35]) expect(digits[at].size, `position ${at}`).to.equal(16);
    expect([...digits[14]]).to.deep.equal(['4']);
    expect([...digits[19]].sort()).to.deep.equal(['8', '9', 'a', 'b']);
  });
});
